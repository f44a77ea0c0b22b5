import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { decodeNextToken, encodeNextToken, queryFingerprint } from '../../../rpc/page-token.js';
import { wireBaselineId } from '../patch-baseline-rules.js';
import { scopeOf } from '../../nodes/operations/node-operation.js';
import { epochSeconds, instanceIdField, nextTokenField } from './compliance-common.js';

const input = z.object({
  InstanceId: instanceIdField.optional(),
  MaxResults: z.number().int().min(1).max(100).optional(),
  NextToken: nextTokenField,
});

interface PackageChange {
  name: string;
  arch: string;
  version: string;
  previousVersion?: string;
}

/**
 * Tend.ListPatchOperations: the patching operations nodes reported, newest
 * first, each with what it changed: the versions installed (and the ones
 * they replaced), the ones that failed, and whether the node was rebooted.
 */
export const listPatchOperations = defineOperation({
  service: 'Tend',
  name: 'ListPatchOperations',
  action: 'tend:ListPatchOperations',
  input,
  mutating: false,
  resources: () => [],
  async run(i, ctx) {
    const pageSize = i.MaxResults ?? 50;
    const fingerprint = queryFingerprint({ op: 'ListPatchOperations', id: i.InstanceId });
    // Keyset on the row id: new operations arriving between pages do not shift them.
    const before = decodeNextToken<number>(i.NextToken, fingerprint, 'number');
    let query = ctx.services.db.selectFrom('patch_operations').selectAll();
    if (i.InstanceId) query = query.where('instance_id', '=', i.InstanceId);
    if (before !== undefined) query = query.where('id', '<', before);
    const rows = await query.orderBy('id', 'desc').limit(pageSize + 1).execute();
    const page = rows.slice(0, pageSize);
    const scope = scopeOf(ctx);
    return {
      Operations: page.map((row) => ({
        InstanceId: row.instance_id,
        CommandId: row.command_id,
        Operation: row.operation,
        BaselineId: wireBaselineId(row.baseline_id, scope),
        ...(row.patch_group ? { PatchGroup: row.patch_group } : {}),
        RebootOption: row.reboot_option,
        StartTime: epochSeconds(row.start_time),
        EndTime: epochSeconds(row.end_time),
        Installed: (JSON.parse(row.installed) as PackageChange[]).map((p) => ({
          Name: p.name,
          Arch: p.arch,
          Version: p.version,
          ...(p.previousVersion ? { PreviousVersion: p.previousVersion } : {}),
        })),
        Failed: (JSON.parse(row.failed) as PackageChange[]).map((p) => ({ Name: p.name, Arch: p.arch, Version: p.version })),
        Rebooted: row.rebooted === 1,
      })),
      ...(rows.length > pageSize ? { NextToken: encodeNextToken(Number(page[page.length - 1]!.id), fingerprint) } : {}),
    };
  },
});
