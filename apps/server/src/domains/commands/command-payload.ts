import type { InvocationStep } from '@tend/protocol';
import type { SecretBox } from '../../security/secret-box.js';

/**
 * What the engine sends agents for a command: the rendered steps. Sealed in
 * the commands row (never stored in clear) because a SecureString may be in
 * a step's inputs or environment; kept so a restarted server, or another
 * replica, can still deliver the command.
 */
export interface CommandPayload {
  steps: InvocationStep[];
  /** Clear SecureString values that went into the steps: masked out of every output stored. */
  secretValues: string[];
  /** Platforms the document's steps run on (Invalid Platform elsewhere). */
  platformTypes: string[];
  /** Inputs of one node's steps on top of the rendered ones: instance id → step name → inputs. */
  nodeInputs?: Record<string, Record<string, Record<string, unknown>>>;
}

function context(commandId: string): string {
  return `command:${commandId}`;
}

export function sealPayload(secrets: SecretBox, commandId: string, payload: CommandPayload): string {
  return secrets.encrypt(JSON.stringify(payload), context(commandId));
}

export function openPayload(secrets: SecretBox, commandId: string, sealed: string): CommandPayload {
  return JSON.parse(secrets.decrypt(sealed, context(commandId))) as CommandPayload;
}
