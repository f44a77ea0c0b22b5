import { z } from 'zod';
import { ServiceError } from '../../../rpc/errors.js';
import { defineOperation } from '../../../rpc/operation.js';
import { decodeNextToken, encodeNextToken, queryFingerprint } from '../../../rpc/page-token.js';
import { managedInstanceArn } from '../../resource-groups/node-membership.js';
import { scopeOf } from '../../nodes/operations/node-operation.js';
import { epochSeconds, filterValuesByKey, instanceIdField, nextTokenField, patchOrchestratorFilters } from './compliance-common.js';

const FILTER_KEYS = ['Classification', 'KBId', 'Severity', 'State'] as const;

/** State filter values: Systems Manager's spelling in the filter (Installed, InstalledOther, …) or the enum's (INSTALLED, …). */
const STATE_VALUES: Record<string, string> = {
  installed: 'INSTALLED',
  installedother: 'INSTALLED_OTHER',
  installedpendingreboot: 'INSTALLED_PENDING_REBOOT',
  installedrejected: 'INSTALLED_REJECTED',
  missing: 'MISSING',
  failed: 'FAILED',
  notapplicable: 'NOT_APPLICABLE',
  availablesecurityupdate: 'AVAILABLE_SECURITY_UPDATE',
};

const input = z.object({
  InstanceId: instanceIdField,
  Filters: patchOrchestratorFilters,
  MaxResults: z.number().int().min(10).max(100).optional(),
  NextToken: nextTokenField,
});

/**
 * DescribeInstancePatches: every patch of the node's last report with its
 * state, by KBId (`name.arch`). InstalledTime is the epoch for patches that
 * are not installed, as Systems Manager answers.
 */
export const describeInstancePatches = defineOperation({
  service: 'AmazonSSM',
  name: 'DescribeInstancePatches',
  action: 'ssm:DescribeInstancePatches',
  input,
  mutating: false,
  resources: (i, ctx) => [managedInstanceArn(scopeOf(ctx), i.InstanceId)],
  async run(i, ctx) {
    const filters = filterValuesByKey(i.Filters, FILTER_KEYS);
    const states = filters.get('State')?.map((v) => {
      const state = STATE_VALUES[v.replace(/_/g, '').toLowerCase()];
      if (!state) throw new ServiceError('InvalidFilter', `The filter value ${v} is not a valid patch state`);
      return state;
    });
    const db = ctx.services.db;
    const known =
      (await db.selectFrom('instance_patch_states').select('instance_id').where('instance_id', '=', i.InstanceId).executeTakeFirst()) ??
      (await db.selectFrom('managed_nodes').select('instance_id').where('instance_id', '=', i.InstanceId).where('deregistered_at', 'is', null).executeTakeFirst());
    if (!known) throw new ServiceError('InvalidInstanceId', `Instance ${i.InstanceId} is not a managed node`);

    const pageSize = i.MaxResults ?? 10;
    const fingerprint = queryFingerprint({ op: 'DescribeInstancePatches', id: i.InstanceId, f: i.Filters });
    const offset = decodeNextToken<number>(i.NextToken, fingerprint, 'number') ?? 0;
    let query = db.selectFrom('instance_patches').selectAll().where('instance_id', '=', i.InstanceId);
    const classification = filters.get('Classification');
    const kbIds = filters.get('KBId');
    const severity = filters.get('Severity');
    if (classification) query = query.where('classification', 'in', classification);
    if (kbIds) query = query.where('kb_id', 'in', kbIds);
    if (severity) query = query.where('severity', 'in', severity);
    if (states) query = query.where('state', 'in', states);
    const rows = await query.orderBy('kb_id').orderBy('position').limit(pageSize + 1).offset(offset).execute();
    return {
      Patches: rows.slice(0, pageSize).map((row) => ({
        Title: row.title,
        KBId: row.kb_id,
        Classification: row.classification,
        Severity: row.severity,
        State: row.state,
        InstalledTime: epochSeconds(row.installed_time ?? 0),
        ...(row.cve_ids ? { CVEIds: row.cve_ids } : {}),
      })),
      ...(rows.length > pageSize ? { NextToken: encodeNextToken(offset + pageSize, fingerprint) } : {}),
    };
  },
});
