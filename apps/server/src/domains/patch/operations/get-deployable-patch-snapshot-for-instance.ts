import { z } from 'zod';
import { patchBaselineRulesSchema, type PatchBaselineRules } from '@tend/protocol';
import { ServiceError } from '../../../rpc/errors.js';
import { defineOperation } from '../../../rpc/operation.js';
import { managedInstanceArn } from '../../resource-groups/node-membership.js';
import { scopeOf } from '../../nodes/operations/node-operation.js';
import { effectiveBaselineFor } from '../effective-baseline.js';
import { isPatchedByTend, nodePatchPlatform } from '../node-operating-system.js';
import { wireBaselineId } from '../patch-baseline-rules.js';
import { instanceIdField } from './compliance-common.js';

const input = z.object({
  InstanceId: instanceIdField,
  SnapshotId: z.string().length(36).regex(/^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/, 'Member must satisfy regular expression pattern: ^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$'),
  BaselineOverride: patchBaselineRulesSchema.optional(),
  UseS3DualStackEndpoint: z.boolean().optional(),
});

/**
 * GetDeployablePatchSnapshotForInstance: the baseline that applies to the
 * node now (its patch group's, else its OS's default), or the given
 * BaselineOverride. Systems Manager answers a presigned S3 URL to a
 * snapshot file; Tend has no S3, so SnapshotDownloadUrl is a `data:` URL
 * carrying the snapshot inline: JSON with the baseline id, patch group,
 * operating system, product and the baseline's rules.
 */
export const getDeployablePatchSnapshotForInstance = defineOperation({
  service: 'AmazonSSM',
  name: 'GetDeployablePatchSnapshotForInstance',
  action: 'ssm:GetDeployablePatchSnapshotForInstance',
  input,
  mutating: false,
  resources: (i, ctx) => [managedInstanceArn(scopeOf(ctx), i.InstanceId)],
  async run(i, ctx) {
    const db = ctx.services.db;
    const node = await db
      .selectFrom('managed_nodes')
      .select(['instance_id', 'platform_name', 'platform_version'])
      .where('instance_id', '=', i.InstanceId)
      .where('deregistered_at', 'is', null)
      .executeTakeFirst();
    if (!node) throw new ServiceError('InvalidInstanceId', `Instance ${i.InstanceId} is not a managed node`);
    const platform = nodePatchPlatform(node.platform_name, node.platform_version);
    if (!platform || !isPatchedByTend(platform.operatingSystem)) {
      throw new ServiceError('UnsupportedOperatingSystem', `Tend does not patch the operating system of ${i.InstanceId} (${node.platform_name ?? 'unknown'} ${node.platform_version ?? ''})`.trim());
    }
    const effective = await effectiveBaselineFor(db, i.InstanceId);
    let rules: PatchBaselineRules;
    let baselineId: string | undefined;
    if (i.BaselineOverride) {
      rules = { ...i.BaselineOverride, OperatingSystem: i.BaselineOverride.OperatingSystem ?? platform.operatingSystem };
    } else if (effective) {
      rules = effective.baseline.rules;
      baselineId = wireBaselineId(effective.baseline.baselineId, scopeOf(ctx));
    } else {
      throw new ServiceError('UnsupportedOperatingSystem', `No patch baseline applies to ${i.InstanceId} (${platform.operatingSystem})`);
    }
    const reported = await db.selectFrom('instance_patch_states').select('product').where('instance_id', '=', i.InstanceId).executeTakeFirst();
    const product = platform.product ?? reported?.product;
    const snapshot = {
      SnapshotId: i.SnapshotId,
      InstanceId: i.InstanceId,
      ...(baselineId ? { BaselineId: baselineId } : { BaselineOverride: true }),
      ...(effective?.patchGroup ? { PatchGroup: effective.patchGroup } : {}),
      OperatingSystem: rules.OperatingSystem,
      ...(product ? { Product: product } : {}),
      Baseline: rules,
    };
    return {
      InstanceId: i.InstanceId,
      SnapshotId: i.SnapshotId,
      SnapshotDownloadUrl: `data:application/json;base64,${Buffer.from(JSON.stringify(snapshot), 'utf8').toString('base64')}`,
      ...(product ? { Product: product } : {}),
    };
  },
});
