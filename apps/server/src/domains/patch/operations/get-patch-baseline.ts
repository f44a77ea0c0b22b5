import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { baselineIdSchema } from '../patch-baseline-rules.js';
import { arnOf, baselineOutput, baselinesStore, scopeOf } from './common.js';

const input = z.object({ BaselineId: baselineIdSchema });

/** GetPatchBaseline: a baseline (predefined or the account's own) with the patch groups it is registered for. */
export const getPatchBaseline = defineOperation({
  service: 'AmazonSSM',
  name: 'GetPatchBaseline',
  action: 'ssm:GetPatchBaseline',
  input,
  mutating: false,
  resources: (i, ctx) => [arnOf(ctx, i.BaselineId)],
  async run(i, ctx) {
    const store = baselinesStore(ctx);
    const baseline = await store.get(i.BaselineId);
    return { ...baselineOutput(baseline, scopeOf(ctx)), PatchGroups: await store.patchGroupsOf(baseline.baselineId) };
  },
});
