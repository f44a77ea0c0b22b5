import { z } from 'zod';
import { policyNameSchema, userNameSchema } from './iam-schemas.js';
import { defineUserOperation } from './user-operation.js';

/** GetUserPolicy: the document as it was stored (plain JSON, not URL-encoded as IAM's query API returns it). */
export const getUserPolicy = defineUserOperation({
  name: 'GetUserPolicy',
  mutating: false,
  input: z.object({ UserName: userNameSchema, PolicyName: policyNameSchema }),
  async run(input, user, ctx) {
    const document = await ctx.services.iam.getUserPolicy(user.userName, input.PolicyName);
    return { UserName: user.userName, PolicyName: input.PolicyName, PolicyDocument: document };
  },
});
