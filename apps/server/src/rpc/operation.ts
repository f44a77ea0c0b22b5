import type { z } from 'zod';
import type { Services } from '../services.js';

/** Who is calling: resolved from the access key that signed the request. */
export interface Caller {
  /** `arn:aws:iam::<account>:root` or `arn:aws:iam::<account>:user/<path><name>`. */
  arn: string;
  accessKeyId: string;
  /** Undefined for the root principal. */
  userName?: string;
  isRoot: boolean;
}

export interface OperationContext {
  requestId: string;
  /** Request time; operations use this instead of reading the clock so tests can set it. */
  now: Date;
  sourceIp: string;
  caller: Caller;
  services: Services;
  /** Policy check for per-item filtering inside an operation (e.g. results of a path query). */
  isAllowed(action: string, resourceArn: string): boolean;
}

/**
 * One API operation. The pipeline validates `input`, authorizes `action` on
 * every ARN `resources` returns, runs `run`, and writes the audit log when
 * `mutating` is set.
 */
export interface Operation<Schema extends z.ZodTypeAny = z.ZodTypeAny, Output = unknown> {
  /** `AmazonSSM` for Systems Manager's operations, `Tend` for what Tend adds. */
  service: 'AmazonSSM' | 'Tend';
  /** The operation name, exactly as in the AWS API, e.g. `PutParameter`. */
  name: string;
  /** IAM action the caller needs, e.g. `ssm:PutParameter`. */
  action: string;
  input: Schema;
  /** State-changing calls are written to the audit log. */
  mutating: boolean;
  /** ARNs the action applies to; an empty list means the account-wide resource `*`. May look them up. */
  resources(input: z.infer<Schema>, ctx: OperationContext): string[] | Promise<string[]>;
  run(input: z.infer<Schema>, ctx: OperationContext): Promise<Output>;
}

/** Identity helper that keeps the input type flowing from the schema into `resources` and `run`. */
export function defineOperation<Schema extends z.ZodTypeAny, Output>(op: Operation<Schema, Output>): Operation<Schema, Output> {
  return op;
}
