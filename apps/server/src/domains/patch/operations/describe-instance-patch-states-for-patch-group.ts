import { z } from 'zod';
import { ServiceError } from '../../../rpc/errors.js';
import { defineOperation } from '../../../rpc/operation.js';
import { decodeNextToken, encodeNextToken, queryFingerprint } from '../../../rpc/page-token.js';
import type { Database } from '../../../storage/schema.js';
import { nodeIsGone } from '../patch-compliance.store.js';
import { instancePatchStateOutput, nextTokenField, patchGroupField } from './compliance-common.js';

/** The filterable counts (InstancePatchStateFilter.Key) and their columns. */
const COUNT_KEYS: Record<string, keyof Database['instance_patch_states'] | null> = {
  InstalledCount: 'installed_count',
  InstalledOtherCount: 'installed_other_count',
  InstalledPendingRebootCount: 'installed_pending_reboot_count',
  InstalledRejectedCount: 'installed_rejected_count',
  MissingCount: 'missing_count',
  FailedCount: 'failed_count',
  NotApplicableCount: 'not_applicable_count',
  // Tend reports every patch it evaluates: nothing is ever unreported.
  UnreportedNotApplicableCount: null,
  CriticalNonCompliantCount: 'critical_non_compliant_count',
  SecurityNonCompliantCount: 'security_non_compliant_count',
  OtherNonCompliantCount: 'other_non_compliant_count',
};

const OPERATORS = { Equal: '=', NotEqual: '<>', LessThan: '<', GreaterThan: '>' } as const;

const input = z.object({
  PatchGroup: patchGroupField,
  Filters: z
    .array(
      z.object({
        Key: z.string().min(1).max(200),
        Values: z.array(z.string()).min(1).max(1),
        Type: z.enum(['Equal', 'NotEqual', 'LessThan', 'GreaterThan']),
      }),
    )
    .max(4)
    .optional(),
  MaxResults: z.number().int().min(10).max(100).optional(),
  NextToken: nextTokenField,
});

/** DescribeInstancePatchStatesForPatchGroup: the patch state of a group's nodes, filtered on their counts. */
export const describeInstancePatchStatesForPatchGroup = defineOperation({
  service: 'AmazonSSM',
  name: 'DescribeInstancePatchStatesForPatchGroup',
  action: 'ssm:DescribeInstancePatchStatesForPatchGroup',
  input,
  mutating: false,
  resources: () => [],
  async run(i, ctx) {
    const conditions = (i.Filters ?? []).map((f) => {
      if (!(f.Key in COUNT_KEYS)) throw new ServiceError('InvalidFilter', `The filter key ${f.Key} is not valid. Valid filter keys: ${Object.keys(COUNT_KEYS).join(', ')}`);
      const value = f.Values[0]!;
      if (!/^\d{1,9}$/.test(value)) throw new ServiceError('InvalidFilter', `The filter value ${value} is not valid: it must be an integer greater than or equal to 0`);
      return { column: COUNT_KEYS[f.Key]!, key: f.Key, op: OPERATORS[f.Type], value: Number(value) };
    });
    const pageSize = i.MaxResults ?? 10;
    const fingerprint = queryFingerprint({ op: 'DescribeInstancePatchStatesForPatchGroup', g: i.PatchGroup, f: i.Filters });
    const offset = decodeNextToken<number>(i.NextToken, fingerprint, 'number') ?? 0;
    let query = ctx.services.db
      .selectFrom('instance_patch_states')
      .selectAll()
      .where('patch_group', '=', i.PatchGroup)
      .where((eb) => eb.not(nodeIsGone('instance_patch_states.instance_id')));
    for (const c of conditions) {
      if (c.column === null) {
        // UnreportedNotApplicableCount is always 0.
        const holds = c.op === '=' ? c.value === 0 : c.op === '<>' ? c.value !== 0 : c.op === '<' ? 0 < c.value : 0 > c.value;
        if (!holds) return { InstancePatchStates: [] };
        continue;
      }
      query = query.where(c.column, c.op, c.value);
    }
    const rows = await query.orderBy('instance_id').limit(pageSize + 1).offset(offset).execute();
    return {
      InstancePatchStates: rows.slice(0, pageSize).map((row) => instancePatchStateOutput(row, ctx)),
      ...(rows.length > pageSize ? { NextToken: encodeNextToken(offset + pageSize, fingerprint) } : {}),
    };
  },
});
