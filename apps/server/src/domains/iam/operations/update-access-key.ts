import { z } from 'zod';
import { accessKeyIdSchema, accessKeyStatusSchema, userNameSchema } from './iam-schemas.js';
import { defineUserOperation } from './user-operation.js';

/** UpdateAccessKey: activates or deactivates a key; a deactivated key is refused from the next request on. */
export const updateAccessKey = defineUserOperation({
  name: 'UpdateAccessKey',
  mutating: true,
  input: z.object({ UserName: userNameSchema.optional(), AccessKeyId: accessKeyIdSchema, Status: accessKeyStatusSchema }),
  async run(input, user, ctx) {
    await ctx.services.iam.updateAccessKey(user.userName, input.AccessKeyId, input.Status);
    return {};
  },
});
