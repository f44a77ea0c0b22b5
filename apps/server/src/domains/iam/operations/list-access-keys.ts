import { z } from 'zod';
import { pageInMemory } from './iam-paging.js';
import { epochSeconds, pagingMembers, userNameSchema } from './iam-schemas.js';
import { defineUserOperation } from './user-operation.js';

/** ListAccessKeys: a user's keys (metadata only, never secrets), ordered by key id. */
export const listAccessKeys = defineUserOperation({
  name: 'ListAccessKeys',
  mutating: false,
  input: z.object({ UserName: userNameSchema.optional(), ...pagingMembers }),
  async run(input, user, ctx) {
    const keys = await ctx.services.iam.listAccessKeys(user.userName);
    const page = pageInMemory(keys, input, (k) => k.accessKeyId);
    return {
      AccessKeyMetadata: page.items.map((k) => ({
        UserName: user.userName,
        AccessKeyId: k.accessKeyId,
        Status: k.status,
        CreateDate: epochSeconds(k.createdAt),
      })),
      ...page.paging,
    };
  },
});
