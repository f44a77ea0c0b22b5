import { z } from 'zod';
import { compileBaseline, type CompiledBaseline } from '@tend/protocol';
import { ServiceError } from '../../../rpc/errors.js';
import { defineOperation } from '../../../rpc/operation.js';
import { decodeNextToken, encodeNextToken, queryFingerprint } from '../../../rpc/page-token.js';
import { baselineIdSchema, baselineNotFound } from '../patch-baseline-rules.js';
import { baselineById } from '../patch-baselines.store.js';
import { epochSeconds, nextTokenField } from './compliance-common.js';
import { patchOutput } from './describe-available-patches.js';

const input = z.object({
  BaselineId: baselineIdSchema,
  MaxResults: z.number().int().min(1).max(100).optional(),
  NextToken: nextTokenField,
});

/**
 * DescribeEffectivePatchesForPatchBaseline: the patches of the fleet
 * catalog (DescribeAvailablePatches) for the baseline's operating system,
 * as the baseline regards them now: APPROVED, PENDING_APPROVAL (a rule
 * matches, its delay has not passed), EXPLICIT_APPROVED, EXPLICIT_REJECTED.
 * Patches no rule or list mentions are not effective and not listed.
 */
export const describeEffectivePatchesForPatchBaseline = defineOperation({
  service: 'AmazonSSM',
  name: 'DescribeEffectivePatchesForPatchBaseline',
  action: 'ssm:DescribeEffectivePatchesForPatchBaseline',
  input,
  mutating: false,
  resources: () => [],
  async run(i, ctx) {
    const baseline = await baselineById(ctx.services.db, i.BaselineId);
    if (!baseline) throw baselineNotFound(i.BaselineId);
    let compiled: CompiledBaseline;
    try {
      compiled = compileBaseline(baseline.rules);
    } catch {
      throw new ServiceError('UnsupportedOperatingSystem', `Tend does not patch ${baseline.operatingSystem}: the baseline has no effective patches`);
    }
    const pageSize = i.MaxResults ?? 100;
    const fingerprint = queryFingerprint({ op: 'DescribeEffectivePatchesForPatchBaseline', b: baseline.baselineId });
    const offset = decodeNextToken<number>(i.NextToken, fingerprint, 'number') ?? 0;
    const now = ctx.now.getTime();
    const rows = await ctx.services.db
      .selectFrom('patch_catalog')
      .selectAll()
      .where('operating_system', '=', baseline.operatingSystem)
      .orderBy('product')
      .orderBy('name')
      .orderBy('arch')
      .orderBy('version')
      .execute();
    const effective = [];
    for (const row of rows) {
      const details = compiled.approvalDetails(
        {
          name: row.name,
          arch: row.arch,
          version: row.version,
          ...(row.classification !== null ? { classification: row.classification } : {}),
          ...(row.severity !== null ? { severity: row.severity } : {}),
          ...(row.priority !== null ? { priority: row.priority } : {}),
          ...(row.section !== null ? { section: row.section } : {}),
          ...(row.repository !== null ? { repository: row.repository } : {}),
          ...(row.security !== null ? { security: row.security === 1 } : {}),
          ...(row.release_date !== null ? { releaseDate: row.release_date } : {}),
          ...(row.cve_ids !== null ? { cveIds: JSON.parse(row.cve_ids) as string[] } : {}),
          ...(row.advisory_ids !== null ? { advisoryIds: JSON.parse(row.advisory_ids) as string[] } : {}),
          ...(row.bugzilla_ids !== null ? { bugzillaIds: JSON.parse(row.bugzilla_ids) as string[] } : {}),
        },
        row.product,
        now,
      );
      if (details.approval === 'NOT_APPROVED') continue;
      effective.push({
        Patch: patchOutput(row),
        PatchStatus: {
          DeploymentStatus: details.approval,
          ComplianceLevel: details.complianceLevel,
          ...(details.approvalDate !== undefined ? { ApprovalDate: epochSeconds(details.approvalDate) } : {}),
        },
      });
    }
    const page = effective.slice(offset, offset + pageSize);
    return {
      EffectivePatches: page,
      ...(effective.length > offset + pageSize ? { NextToken: encodeNextToken(offset + pageSize, fingerprint) } : {}),
    };
  },
});
