import { randomUUID } from 'node:crypto';
import type { Services } from '../services.js';
import { ServiceError } from './errors.js';
import { parseAuthorization, verifySignature, type SignedRequest } from './sigv4.js';
import type { Caller, Operation, OperationContext } from './operation.js';
import { validationErrorFrom } from './validation.js';
import { isActionAllowed } from '../domains/iam/policy.js';
import type { Principal } from '../domains/iam/iam.store.js';

export interface RpcRequest extends SignedRequest {
  sourceIp: string;
}

export interface RpcResponse {
  status: number;
  requestId: string;
  body: string;
  /** Set on errors: the `x-amzn-errortype` header. */
  errorType?: string;
  /** For metrics: `Service.Operation` or `unknown`. */
  target: string;
}

/**
 * The one request pipeline (DESIGN.md): authenticate → route → parse →
 * validate → authorize → run → serialize. Every answer, good or bad, goes
 * back through here so its shape and headers are always the same.
 */
export class Pipeline {
  constructor(
    private readonly services: Services,
    private readonly operations: Map<string, Operation>,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async handle(req: RpcRequest): Promise<RpcResponse> {
    const requestId = randomUUID();
    const now = this.clock();
    let target = 'unknown';
    let caller: Caller | undefined;
    let op: Operation | undefined;
    let resources: string[] = [];
    try {
      const principal = await this.authenticate(req, now);
      caller = { arn: principal.arn, accessKeyId: principal.accessKeyId, userName: principal.userName, isRoot: principal.isRoot };

      const targetHeader = req.headers['x-amz-target'];
      target = typeof targetHeader === 'string' ? targetHeader : '';
      op = this.operations.get(target);
      if (!op) {
        const shown = target || '(missing X-Amz-Target header)';
        target = 'unknown';
        throw new ServiceError('UnknownOperationException', `Unknown operation ${shown}`);
      }

      const input = parseBody(req.body);
      const parsed = op.input.safeParse(input);
      if (!parsed.success) throw validationErrorFrom(parsed.error);

      const isAllowed = (action: string, resource: string) => principal.isRoot || isActionAllowed(principal.statements, action, resource);
      const ctx: OperationContext = { requestId, now, sourceIp: req.sourceIp, caller, services: this.services, isAllowed };
      resources = await op.resources(parsed.data, ctx);
      for (const resource of resources.length ? resources : ['*']) {
        if (!isAllowed(op.action, resource)) {
          throw new ServiceError(
            'AccessDeniedException',
            `User: ${caller.arn} is not authorized to perform: ${op.action} on resource: ${resource} because no identity-based policy allows the ${op.action} action`,
          );
        }
      }

      const output = (await op.run(parsed.data, ctx)) ?? {};
      if (op.mutating) await this.audit(requestId, now, req, caller, target, resources, 'Success');
      return { status: 200, requestId, body: JSON.stringify(output), target };
    } catch (err) {
      const error = toServiceError(err, requestId, this.services);
      if (op?.mutating && caller) {
        await this.audit(requestId, now, req, caller, target, resources, error.type, error.message).catch((auditErr) =>
          this.services.logger.error({ requestId, err: auditErr }, 'could not write the audit event'),
        );
      }
      return {
        status: error.status,
        requestId,
        errorType: error.type,
        target,
        body: JSON.stringify({ __type: error.type, message: error.message, ...error.extra }),
      };
    }
  }

  private async authenticate(req: RpcRequest, now: Date): Promise<Principal> {
    const auth = parseAuthorization(req, now);
    const principal = await this.services.iam.resolvePrincipal(auth.accessKeyId);
    if (!principal || principal.status !== 'Active') {
      throw new ServiceError('UnrecognizedClientException', 'The security token included in the request is invalid.');
    }
    verifySignature(req, auth, principal.secret);
    return principal;
  }

  private async audit(
    requestId: string,
    now: Date,
    req: RpcRequest,
    caller: Caller,
    target: string,
    resources: string[],
    outcome: string,
    errorMessage?: string,
  ): Promise<void> {
    await this.services.audit.record({
      eventTime: now.getTime(),
      requestId,
      principalArn: caller.arn,
      accessKeyId: caller.accessKeyId,
      operation: target,
      resources,
      sourceIp: req.sourceIp,
      outcome,
      errorMessage,
    });
  }
}

function parseBody(body: Buffer): unknown {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ServiceError('SerializationException', 'The request body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ServiceError('SerializationException', 'The request body must be a JSON object');
  }
  return value;
}

/** Modeled errors pass through; anything else is logged with the request id and hidden from the client. */
function toServiceError(err: unknown, requestId: string, services: Services): ServiceError {
  if (err instanceof ServiceError) return err;
  services.logger.error({ requestId, err }, 'unexpected error while handling a request');
  return new ServiceError('InternalServerError', `An internal error occurred (request id ${requestId})`);
}
