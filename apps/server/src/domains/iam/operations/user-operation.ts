import type { z } from 'zod';
import { validationError } from '../../../rpc/errors.js';
import { defineOperation, type Operation, type OperationContext } from '../../../rpc/operation.js';
import type { IamUser } from '../iam.store.js';

/**
 * The user an operation acts on. Where IAM lets UserName be omitted it
 * means the caller. The root principal has no user, and its access keys
 * come from the server configuration, so root must name a user.
 */
export function targetUserName(given: string | undefined, ctx: OperationContext): string {
  const name = given ?? ctx.caller.userName;
  if (name === undefined) {
    throw validationError(
      'UserName is required when calling as the root principal; root access keys are managed by the server configuration (TEND_ROOT_ACCESS_KEY_ID)',
    );
  }
  return name;
}

/** The ARN the pipeline authorizes for an operation on a user. */
export async function targetUserArns(given: string | undefined, ctx: OperationContext): Promise<string[]> {
  const name = targetUserName(given, ctx);
  if (name === ctx.caller.userName) return [ctx.caller.arn];
  return [await ctx.services.iam.userArnFor(name)];
}

/**
 * An IAM-shaped operation on one existing user (`UserName`, or the caller
 * where IAM allows omitting it): action `iam:<Name>` on the user's ARN. The
 * user is loaded before `run`, so each operation file
 * holds only what is particular to it.
 */
export function defineUserOperation<Schema extends z.ZodType<{ UserName?: string }, z.ZodTypeDef, unknown>, Output>(spec: {
  name: string;
  mutating: boolean;
  input: Schema;
  run(input: z.infer<Schema>, user: IamUser, ctx: OperationContext): Promise<Output>;
}): Operation<Schema, Output> {
  const action = `iam:${spec.name}`;
  return defineOperation({
    service: 'Tend',
    name: spec.name,
    action,
    mutating: spec.mutating,
    input: spec.input,
    resources: (input, ctx) => targetUserArns(input.UserName, ctx),
    async run(input, ctx) {
      const user = await ctx.services.iam.getUser(targetUserName(input.UserName, ctx));
      return spec.run(input, user, ctx);
    },
  });
}
