import type { z } from 'zod';
import type { AgentFrame } from '@tend/protocol';
import type { Logger } from './logger.js';

/** What a frame handler can do on the connection that delivered the frame. */
export interface FrameContext {
  instanceId: string;
  /** Sends a frame; false when the connection is already gone (the server re-asks for pending work on reconnect). */
  send(frame: AgentFrame): boolean;
  logger: Logger;
  /** Aborted when the agent stops (not when one connection drops: work may outlive a reconnection). */
  signal: AbortSignal;
  /** Optional protocol features the server listed in its welcome (AGENT_FEATURES); only frames it speaks may be volunteered. */
  features?: readonly string[];
}

interface Entry {
  schema: z.ZodTypeAny;
  handle(frame: unknown, context: FrameContext): void | Promise<void>;
}

/** Frame types the connection itself answers; a handler for one of them would never run. */
const CONNECTION_FRAMES = new Set(['challenge', 'welcome', 'reject']);

/**
 * Server frames beyond the handshake (commands, cancellations, …), keyed by
 * frame type. One registry can serve every connection of a process: the
 * simulator shares a single instance among thousands of nodes.
 */
export class FrameHandlers {
  private readonly entries = new Map<string, Entry>();
  private readonly onlineHooks: Array<(context: FrameContext) => void> = [];

  /** Handles frames of `type`, validated with `schema` first (an invalid frame is logged and dropped). */
  on<T>(type: string, schema: z.ZodType<T>, handle: (frame: T, context: FrameContext) => void | Promise<void>): this {
    if (CONNECTION_FRAMES.has(type)) throw new Error(`frame type ${type} belongs to the connection handshake`);
    if (this.entries.has(type)) throw new Error(`a handler for frame type ${type} is already registered`);
    this.entries.set(type, { schema, handle: handle as Entry['handle'] });
    return this;
  }

  /** Runs after every successful authentication, e.g. to ask the server for work that is pending. */
  onOnline(hook: (context: FrameContext) => void): this {
    this.onlineHooks.push(hook);
    return this;
  }

  /** Delivers one parsed frame; unknown types are ignored so an older agent survives a newer server. */
  dispatch(type: string, json: unknown, context: FrameContext): void {
    const entry = this.entries.get(type);
    if (!entry) {
      context.logger.debug('ignoring unknown frame type', { instanceId: context.instanceId, type });
      return;
    }
    const parsed = entry.schema.safeParse(json);
    if (!parsed.success) {
      context.logger.warn('dropping invalid frame', { instanceId: context.instanceId, type, problem: parsed.error.issues[0]?.message });
      return;
    }
    // A failing handler must not take the connection, or the other handlers, down with it.
    const failed = (err: unknown) => context.logger.error('frame handler failed', { instanceId: context.instanceId, type, err });
    try {
      const result = entry.handle(parsed.data, context);
      if (result) result.catch(failed);
    } catch (err) {
      failed(err);
    }
  }

  /** Called by the connection once it is authenticated. */
  online(context: FrameContext): void {
    for (const hook of this.onlineHooks) {
      try {
        hook(context);
      } catch (err) {
        context.logger.error('online hook failed', { instanceId: context.instanceId, err });
      }
    }
  }
}
