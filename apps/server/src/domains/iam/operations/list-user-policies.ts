import { z } from 'zod';
import { pageInMemory } from './iam-paging.js';
import { pagingMembers, userNameSchema } from './iam-schemas.js';
import { defineUserOperation } from './user-operation.js';

/** ListUserPolicies: names of a user's inline policies, in name order. */
export const listUserPolicies = defineUserOperation({
  name: 'ListUserPolicies',
  mutating: false,
  input: z.object({ UserName: userNameSchema, ...pagingMembers }),
  async run(input, user, ctx) {
    const names = await ctx.services.iam.listUserPolicies(user.userName);
    const page = pageInMemory(names, input, (n) => n);
    return { PolicyNames: page.items, ...page.paging };
  },
});
