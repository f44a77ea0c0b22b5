import { z } from 'zod';

/**
 * The agent protocol (DESIGN.md, "Agent protocol"): versioned JSON frames on
 * one WebSocket per agent at /agent/v1, validated on both ends with these
 * schemas. Bump AGENT_PROTOCOL_VERSION on any incompatible change.
 */
export const AGENT_PROTOCOL_VERSION = 1;
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
});
export type RegisterRequest = z.infer<typeof registerRequestSchema>;
export interface RegisterResponse {
  instanceId: string;
}

const frame = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ v: z.literal(AGENT_PROTOCOL_VERSION), type: z.literal(type), ...shape });

/** Server → agent. */
export const challengeFrame = frame('challenge', { nonce: z.string().min(16) });
export const welcomeFrame = frame('welcome', {
  instanceId: z.string(),
  /** How often the server wants a heartbeat. */
  heartbeatSeconds: z.number().int().positive(),
  serverVersion: z.string(),
});
/** A refusal the agent must not retry blindly (e.g. deregistered node). */
export const rejectFrame = frame('reject', { code: z.string(), message: z.string() });

export const serverFrameSchema = z.discriminatedUnion('type', [challengeFrame, welcomeFrame, rejectFrame]);
export type ServerFrame = z.infer<typeof serverFrameSchema>;

/** Agent → server. */
export const authFrame = frame('auth', {
  instanceId: z.string().regex(/^mi-[0-9a-f]{17}$/),
  /** Ed25519 signature of `tend-agent-auth:<instanceId>:<nonce>`, base64. */
  signature: z.string().min(1).max(200),
  info: nodeInfoSchema,
});
export const heartbeatFrame = frame('heartbeat', { info: nodeInfoSchema.optional() });

export const agentFrameSchema = z.discriminatedUnion('type', [authFrame, heartbeatFrame]);
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
