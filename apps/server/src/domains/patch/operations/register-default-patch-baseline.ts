import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { baselineIdSchema, wireBaselineId } from '../patch-baseline-rules.js';
import { arnOf, baselinesStore, scopeOf } from './common.js';

const input = z.object({ BaselineId: baselineIdSchema });

/** RegisterDefaultPatchBaseline: the baseline becomes the default of its operating system (registering the predefined one goes back to it). */
export const registerDefaultPatchBaseline = defineOperation({
  service: 'AmazonSSM',
  name: 'RegisterDefaultPatchBaseline',
  action: 'ssm:RegisterDefaultPatchBaseline',
  input,
  mutating: true,
  resources: (i, ctx) => [arnOf(ctx, i.BaselineId)],
  async run(i, ctx) {
    const baseline = await baselinesStore(ctx).registerDefault(i.BaselineId);
    return { BaselineId: wireBaselineId(baseline.baselineId, scopeOf(ctx)) };
  },
});
