import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { baselineIdSchema, patchGroupSchema, wireBaselineId } from '../patch-baseline-rules.js';
import { arnOf, baselinesStore, scopeOf } from './common.js';

const input = z.object({ BaselineId: baselineIdSchema, PatchGroup: patchGroupSchema });

/**
 * RegisterPatchBaselineForPatchGroup: nodes tagged `Patch Group` (or
 * `PatchGroup`) with this value and running the baseline's OS get it. One
 * baseline per patch group and OS: another one is AlreadyExistsException.
 */
export const registerPatchBaselineForPatchGroup = defineOperation({
  service: 'AmazonSSM',
  name: 'RegisterPatchBaselineForPatchGroup',
  action: 'ssm:RegisterPatchBaselineForPatchGroup',
  input,
  mutating: true,
  resources: (i, ctx) => [arnOf(ctx, i.BaselineId)],
  async run(i, ctx) {
    const baseline = await baselinesStore(ctx).registerPatchGroup(i.BaselineId, i.PatchGroup);
    return { BaselineId: wireBaselineId(baseline.baselineId, scopeOf(ctx)), PatchGroup: i.PatchGroup };
  },
});
