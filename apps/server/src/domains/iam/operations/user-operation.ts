import type { z } from 'zod';
import { ServiceError, validationError } from '../../../rpc/errors.js';
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
export function targetUserArns(given: string | undefined, ctx: OperationContext): string[] {
  const name = targetUserName(given, ctx);
  if (name === ctx.caller.userName) return [ctx.caller.arn];
  return [ctx.services.iam.knownUserArn(name)];
}

/**
 * Loads the target user (NoSuchEntityException if absent) and authorizes the
 * action again on its stored ARN: the pipeline's check ran on the ARN this
 * replica knew, which for a user just created on another replica may lack
 * the path. Checking again means a path-scoped Deny is never bypassed.
 */
export async function loadAuthorizedUser(action: string, userName: string, ctx: OperationContext): Promise<IamUser> {
  const user = await ctx.services.iam.getUser(userName);
  if (!ctx.isAllowed(action, user.arn)) {
    throw new ServiceError(
      'AccessDeniedException',
      `User: ${ctx.caller.arn} is not authorized to perform: ${action} on resource: ${user.arn} because no identity-based policy allows the ${action} action`,
    );
  }
  return user;
}

/**
 * An IAM-shaped operation on one existing user (`UserName`, or the caller
 * where IAM allows omitting it): action `iam:<Name>` on the user's ARN. The
 * user is loaded and re-authorized before `run`, so each operation file
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
      const user = await loadAuthorizedUser(action, targetUserName(input.UserName, ctx), ctx);
      return spec.run(input, user, ctx);
    },
  });
}
