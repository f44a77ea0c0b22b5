import { createPublicKey } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { AGENT_REGISTER_PATH, registerRequestSchema, type RegisterResponse } from '@tend/protocol';
import { ServiceError, validationError } from '../rpc/errors.js';
import { validationErrorFrom } from '../rpc/validation.js';
import { MAX_TAGS_PER_RESOURCE, tagListSchema } from '../domains/tags/tag-rules.js';
import type { NodesStore } from '../domains/nodes/nodes.store.js';
import { FailureRateLimiter } from './failure-rate-limiter.js';

export interface RegistrationEndpointOptions {
  nodes: NodesStore;
  logger: Logger;
  clock: () => Date;
  /** Failed attempts allowed per source address (default: 10 at once, then 10 a minute). */
  limiter?: FailureRateLimiter;
}

// A registration body is a few hundred bytes; the API's 1 MiB allowance is not needed here.
const MAX_BODY_BYTES = 16 * 1024;

/**
 * POST /agent/v1/register: a machine becomes a managed node. Plain JSON, not
 * SigV4: the activation code is the credential. Refusals answer HTTP 400
 * with `{__type, message}`; wrong guesses are rate-limited per address.
 */
export function registerAgentRegistration(app: FastifyInstance, options: RegistrationEndpointOptions): void {
  const limiter = options.limiter ?? new FailureRateLimiter({ burst: 10, perMinute: 10 });
  app.post(AGENT_REGISTER_PATH, { bodyLimit: MAX_BODY_BYTES }, async (request, reply) => {
    const address = request.ip;
    const ticket = limiter.check(address);
    if (!ticket.allowed) {
      reply.header('retry-after', String(ticket.retryAfterSeconds));
      return refuse(reply, new ServiceError('ThrottlingException', `Too many failed registration attempts from ${address}; retry in ${ticket.retryAfterSeconds} s.`));
    }
    try {
      const body = registrationFrom(request.body);
      const result: RegisterResponse = await options.nodes.register(
        { activationId: body.activationId, activationCode: body.activationCode, publicKey: body.publicKey, name: body.name, info: body.info, tags: body.tags },
        options.clock().getTime(),
      );
      options.logger.info({ instanceId: result.instanceId, activationId: body.activationId, address }, 'managed node registered');
      return reply.code(200).header('content-type', 'application/json').send(JSON.stringify(result));
    } catch (err) {
      if (!(err instanceof ServiceError)) {
        options.logger.error({ err, address }, 'registration failed unexpectedly');
        return refuse(reply, new ServiceError('InternalServerError', 'An internal error occurred; try again later.'));
      }
      // Only a wrong id or code is a guess; the other refusals prove the caller already holds the code.
      if (err.type === 'InvalidActivation') limiter.charge(address);
      options.logger.info({ address, refusal: err.type }, 'registration refused');
      return refuse(reply, err);
    }
  });
}

/** The request body, checked against the protocol schema and the server's own rules for keys and tags. */
function registrationFrom(raw: unknown) {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw ?? ''));
  } catch {
    throw new ServiceError('SerializationException', 'The request body is not valid JSON');
  }
  const parsed = registerRequestSchema.safeParse(json);
  if (!parsed.success) throw validationErrorFrom(parsed.error);
  const body = parsed.data;
  if (body.tags?.length) {
    const tags = tagListSchema(MAX_TAGS_PER_RESOURCE).safeParse(body.tags);
    if (!tags.success) throw validationErrorFrom(tags.error);
  }
  try {
    const key = createPublicKey({ key: Buffer.from(body.publicKey, 'base64'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('not Ed25519');
  } catch {
    throw validationError('publicKey must be an Ed25519 public key, SPKI DER in base64');
  }
  return body;
}

function refuse(reply: FastifyReply, error: ServiceError): FastifyReply {
  return reply
    .code(error.status)
    .header('content-type', 'application/json')
    .header('x-amzn-errortype', error.type)
    .send(JSON.stringify({ __type: error.type, message: error.message }));
}
