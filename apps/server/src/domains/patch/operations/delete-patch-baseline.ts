import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { baselineIdSchema } from '../patch-baseline-rules.js';
import { arnOf, baselinesStore } from './common.js';

const input = z.object({ BaselineId: baselineIdSchema });

/** DeletePatchBaseline: refused (ResourceInUseException) while the baseline is a default or registered for a patch group. */
export const deletePatchBaseline = defineOperation({
  service: 'AmazonSSM',
  name: 'DeletePatchBaseline',
  action: 'ssm:DeletePatchBaseline',
  input,
  mutating: true,
  resources: (i, ctx) => [arnOf(ctx, i.BaselineId)],
  async run(i, ctx) {
    return { BaselineId: await baselinesStore(ctx).delete(i.BaselineId) };
  },
});
