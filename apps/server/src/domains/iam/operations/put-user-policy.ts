import { z } from 'zod';
import { policyDocumentSchema, policyNameSchema, userNameSchema } from './iam-schemas.js';
import { defineUserOperation } from './user-operation.js';

/** PutUserPolicy: creates or replaces an inline policy; it applies from the next request on. */
export const putUserPolicy = defineUserOperation({
  name: 'PutUserPolicy',
  mutating: true,
  input: z.object({ UserName: userNameSchema, PolicyName: policyNameSchema, PolicyDocument: policyDocumentSchema }),
  async run(input, user, ctx) {
    await ctx.services.iam.putUserPolicy(user.userName, input.PolicyName, input.PolicyDocument);
    return {};
  },
});
