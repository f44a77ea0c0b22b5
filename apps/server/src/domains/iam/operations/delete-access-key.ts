import { z } from 'zod';
import { accessKeyIdSchema, userNameSchema } from './iam-schemas.js';
import { defineUserOperation } from './user-operation.js';

/** DeleteAccessKey: removes a key for good; it is refused from the next request on. */
export const deleteAccessKey = defineUserOperation({
  name: 'DeleteAccessKey',
  mutating: true,
  input: z.object({ UserName: userNameSchema.optional(), AccessKeyId: accessKeyIdSchema }),
  async run(input, user, ctx) {
    await ctx.services.iam.deleteAccessKey(user.userName, input.AccessKeyId);
    return {};
  },
});
