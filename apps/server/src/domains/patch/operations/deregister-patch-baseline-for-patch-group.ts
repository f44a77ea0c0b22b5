import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { baselineIdSchema, patchGroupSchema, wireBaselineId } from '../patch-baseline-rules.js';
import { arnOf, baselinesStore, scopeOf } from './common.js';

const input = z.object({ BaselineId: baselineIdSchema, PatchGroup: patchGroupSchema });

/** DeregisterPatchBaselineForPatchGroup: the group's nodes of that OS go back to their OS's default baseline. */
export const deregisterPatchBaselineForPatchGroup = defineOperation({
  service: 'AmazonSSM',
  name: 'DeregisterPatchBaselineForPatchGroup',
  action: 'ssm:DeregisterPatchBaselineForPatchGroup',
  input,
  mutating: true,
  resources: (i, ctx) => [arnOf(ctx, i.BaselineId)],
  async run(i, ctx) {
    const baseline = await baselinesStore(ctx).deregisterPatchGroup(i.BaselineId, i.PatchGroup);
    return { BaselineId: wireBaselineId(baseline.baselineId, scopeOf(ctx)), PatchGroup: i.PatchGroup };
  },
});
