import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { epochSeconds, userNameSchema, userShape } from './iam-schemas.js';
import { targetUserArns } from './user-operation.js';

/** GetUser: a named user, or without a name the caller itself (root included). */
export const getUser = defineOperation({
  service: 'Tend',
  name: 'GetUser',
  action: 'iam:GetUser',
  mutating: false,
  input: z.object({ UserName: userNameSchema.optional() }),
  resources: async (input, ctx) => (input.UserName === undefined && ctx.caller.isRoot ? [ctx.caller.arn] : targetUserArns(input.UserName, ctx)),
  async run(input, ctx) {
    const { iam } = ctx.services;
    if (input.UserName === undefined && ctx.caller.isRoot) {
      // IAM answers the root principal with its account id and ARN and no
      // user name or path: root is not a user. Its creation time here is
      // that of the root key that signed the call.
      const key = await iam.getAccessKey(ctx.caller.accessKeyId);
      return { User: { UserId: ctx.services.config.accountId, Arn: ctx.caller.arn, CreateDate: epochSeconds(key?.createdAt ?? ctx.now.getTime()) } };
    }
    const user = await iam.getUser(input.UserName ?? ctx.caller.userName!);
    return { User: userShape(user, await iam.getUserTags(user.userName)) };
  },
});
