import { z } from 'zod';
import { userNameSchema } from './iam-schemas.js';
import { defineUserOperation } from './user-operation.js';

/** DeleteUser: only a user without access keys or policies (DeleteConflictException otherwise), as IAM. */
export const deleteUser = defineUserOperation({
  name: 'DeleteUser',
  mutating: true,
  input: z.object({ UserName: userNameSchema }),
  async run(_input, user, ctx) {
    await ctx.services.iam.deleteUser(user.userName);
    return {};
  },
});
