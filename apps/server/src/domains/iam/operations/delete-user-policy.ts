import { z } from 'zod';
import { policyNameSchema, userNameSchema } from './iam-schemas.js';
import { defineUserOperation } from './user-operation.js';

/** DeleteUserPolicy: removes an inline policy; what it granted is refused from the next request on. */
export const deleteUserPolicy = defineUserOperation({
  name: 'DeleteUserPolicy',
  mutating: true,
  input: z.object({ UserName: userNameSchema, PolicyName: policyNameSchema }),
  async run(input, user, ctx) {
    await ctx.services.iam.deleteUserPolicy(user.userName, input.PolicyName);
    return {};
  },
});
