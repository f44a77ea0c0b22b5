import { z } from 'zod';
import { AGENT_PROTOCOL_VERSION, frame } from './frame-base.js';
import {
  invocationAcceptedFrame,
  invocationCancelFrame,
  invocationOutputFrame,
  invocationResultAckFrame,
  invocationResultFrame,
  invocationStartFrame,
  pendingRequestFrame,
} from './command-frames.js';

export { AGENT_PROTOCOL_VERSION };

/**
 * The agent protocol (DESIGN.md, "Agent protocol"): versioned JSON frames on
 * one WebSocket per agent at /agent/v1, validated on both ends with these
 * schemas. Bump AGENT_PROTOCOL_VERSION on any incompatible change.
 */
export const AGENT_WEBSOCKET_PATH = '/agent/v1';
export const AGENT_REGISTER_PATH = '/agent/v1/register';

/** What a node says about itself; reported at connect and with every heartbeat. */
export const nodeInfoSchema = z.object({
  computerName: z.string().min(1).max(255),
  ipAddress: z.string().max(64),
  platformType: z.enum(['Linux', 'Windows', 'MacOS']),
  platformName: z.string().max(128),
  platformVersion: z.string().max(64),
  agentVersion: z.string().max(32),
});
export type NodeInfo = z.infer<typeof nodeInfoSchema>;

/** POST /agent/v1/register body: an activation and the node's Ed25519 public key. */
export const registerRequestSchema = z.object({
  activationId: z.string().min(1).max(64),
  activationCode: z.string().min(1).max(250),
  /** Ed25519 public key, SPKI DER, base64. */
  publicKey: z.string().min(1).max(200),
  name: z.string().max(255).optional(),
  info: nodeInfoSchema,
  /**
   * Tags the node asks for (`tend sim --tags`), applied with the
   * activation's; the activation's value wins for a key in both. Only a
   * holder of the activation code can send them, as it could register nodes.
   */
  tags: z
    .array(z.object({ Key: z.string().min(1).max(128), Value: z.string().max(256) }))
    .max(50)
    .optional(),
});
export type RegisterRequest = z.infer<typeof registerRequestSchema>;
export interface RegisterResponse {
  instanceId: string;
}

/**
 * Why a registration was refused. The server answers HTTP 4xx with the AWS
 * JSON error shape `{__type, message}`; the agent prints the message and
 * stops, and retries only 5xx and network failures. One code covers an
 * unknown id, a deleted activation and a wrong code, so ids cannot be probed.
 */
export const REGISTER_ERROR_CODES = {
  invalid: 'InvalidActivation',
  expired: 'ActivationExpired',
  limitReached: 'RegistrationLimitExceeded',
  /** Too many failed attempts from this address (HTTP 400 with a Retry-After header, in seconds). */
  throttled: 'ThrottlingException',
} as const;

/** Server → agent. */
export const challengeFrame = frame('challenge', { nonce: z.string().min(16) });
export const welcomeFrame = frame('welcome', {
  instanceId: z.string(),
  /** How often the server wants a heartbeat. */
  heartbeatSeconds: z.number().int().positive(),
  serverVersion: z.string(),
  /** Optional protocol features this server speaks (AGENT_FEATURES); absent on servers that predate them. */
  features: z.array(z.string().max(64)).max(32).optional(),
});
/**
 * A refusal of this identity (deregistered node, unknown instance, bad
 * signature): final, so the agent stops instead of retrying with the same
 * key. A transient server problem closes the socket instead (1011/1013),
 * which the agent retries.
 */
export const rejectFrame = frame('reject', { code: z.string(), message: z.string() });

/** `reject` codes the server sends (the frame takes any string, so new codes stay compatible). */
export const REJECT_CODES = {
  /** The node was deregistered: its key is dead; only a new registration helps. */
  deregistered: 'Deregistered',
  /** No node has this id (e.g. the server's database was reset). */
  unknownNode: 'UnknownNode',
  /** The signature does not verify with the key registered for this id. */
  invalidSignature: 'InvalidSignature',
} as const;

/** WebSocket close codes the server uses besides the standard ones. */
export const AGENT_CLOSE_CODES = {
  /** Server shutting down or restarting: reconnect with backoff. */
  goingAway: 1001,
  /** A frame was not valid JSON or did not match the protocol schemas. */
  protocolError: 1002,
  /** The server could not check the identity right now (database unavailable): retry. */
  tryAgainLater: 1013,
  /** Follows a reject frame. */
  rejected: 4003,
  /** No auth frame in time, or silence for longer than the ping timeout: reconnect. */
  timeout: 4008,
  /** A newer connection of the same node replaced this one (one live connection per node). */
  replaced: 4009,
} as const;

export const serverFrameSchema = z.discriminatedUnion('type', [
  challengeFrame,
  welcomeFrame,
  rejectFrame,
  invocationStartFrame,
  invocationCancelFrame,
  invocationResultAckFrame,
]);
export type ServerFrame = z.infer<typeof serverFrameSchema>;

/** Agent → server. */
export const authFrame = frame('auth', {
  instanceId: z.string().regex(/^mi-[0-9a-f]{17}$/),
  /** Ed25519 signature of `tend-agent-auth:<instanceId>:<nonce>`, base64. */
  signature: z.string().min(1).max(200),
  info: nodeInfoSchema,
});
export const heartbeatFrame = frame('heartbeat', { info: nodeInfoSchema.optional() });

export const agentFrameSchema = z.discriminatedUnion('type', [
  authFrame,
  heartbeatFrame,
  pendingRequestFrame,
  invocationAcceptedFrame,
  invocationOutputFrame,
  invocationResultFrame,
]);
export type AgentFrame = z.infer<typeof agentFrameSchema>;

/** The exact bytes an agent signs to prove possession of its key. */
export function authChallengeText(instanceId: string, nonce: string): string {
  return `tend-agent-auth:${instanceId}:${nonce}`;
}

/** Parses and validates one frame; returns undefined for anything malformed. */
export function parseFrame<T>(schema: z.ZodType<T>, data: string): T | undefined {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
