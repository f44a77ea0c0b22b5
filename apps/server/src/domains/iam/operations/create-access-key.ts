import { z } from 'zod';
import { epochSeconds, userNameSchema } from './iam-schemas.js';
import { defineUserOperation } from './user-operation.js';

/** CreateAccessKey: the only answer that ever carries the secret; it is stored sealed and never shown again. */
export const createAccessKey = defineUserOperation({
  name: 'CreateAccessKey',
  mutating: true,
  input: z.object({ UserName: userNameSchema.optional() }),
  async run(_input, user, ctx) {
    const key = await ctx.services.iam.createAccessKey(user.userName);
    return {
      AccessKey: {
        UserName: user.userName,
        AccessKeyId: key.accessKeyId,
        Status: key.status,
        SecretAccessKey: key.secretAccessKey,
        CreateDate: epochSeconds(key.createdAt),
      },
    };
  },
});
