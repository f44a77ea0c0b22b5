import { createPublicKey, randomBytes, verify } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { Logger } from 'pino';
import {
  AGENT_CLOSE_CODES,
  AGENT_FEATURES,
  AGENT_PROTOCOL_VERSION,
  MAX_AGENT_FRAME_BYTES,
  AGENT_WEBSOCKET_PATH,
  REJECT_CODES,
  agentFrameSchema,
  authChallengeText,
  parseFrame,
  type AgentFrame,
  type InvocationOutputFrame,
  type InvocationResultFrame,
  type NodeInfo,
  type ServerFrame,
} from '@tend/protocol';
import type { NodesStore, PingEntry } from '../domains/nodes/nodes.store.js';

/** A live, authenticated agent connection. */
export interface AgentConnection {
  readonly instanceId: string;
  /** Sends one frame; false when the socket is no longer open. */
  send(frame: ServerFrame): boolean;
}

/** What the rest of the server may do with agent connections (Run Command will deliver through this). */
export interface AgentConnections {
  connectionFor(instanceId: string): AgentConnection | undefined;
  isConnected(instanceId: string): boolean;
  /** Refuses a node's live connection on this replica, if any: a reject frame, then close. */
  disconnect(instanceId: string, reject: { code: string; message: string }): void;
  /** Authenticated connections held by this replica. */
  readonly size: number;
}

/**
 * Where the gateway hands Run Command frames (the command engine). Every
 * call names the node whose authenticated connection delivered the frame:
 * the handler must never trust an id inside the frame alone.
 */
export interface InvocationFrameHandler {
  /** The agent (re)connected and asks for its work. */
  pendingRequested(instanceId: string): void;
  accepted(instanceId: string, invocationId: string): void;
  output(instanceId: string, frame: InvocationOutputFrame): void;
  result(instanceId: string, frame: InvocationResultFrame): void;
}

export interface AgentGatewayOptions {
  nodes: NodesStore;
  logger: Logger;
  /** Wall clock for stored times (last ping, events); tests may set it. */
  clock: () => Date;
  pingTimeoutSeconds: number;
  heartbeatSeconds: number;
  serverVersion: string;
  /** How often heartbeats are written, all in one transaction (default 1000 ms). */
  flushIntervalMs?: number;
  /** How long a new connection may take to authenticate (default 10 s). */
  authTimeoutMs?: number;
}

/** Frames before authentication are small JSON; anything near this is garbage or an attack. */
const MAX_UNAUTHENTICATED_FRAME_BYTES = 64 * 1024;

type SessionState = 'challenged' | 'authenticating' | 'live' | 'closed';

/**
 * One WebSocket. Kept deliberately small (a handful of fields, no timers
 * of its own) since a replica holds tens of thousands: the gateway's single
 * tick does auth and silence timeouts for all of them.
 */
class AgentSession implements AgentConnection {
  state: SessionState = 'challenged';
  /** Set once authenticated. */
  instanceId = '';
  /** Cleared once authenticated. */
  nonce: string | undefined;
  /** performance.now() of the last frame (or of the connection). */
  lastFrameAt: number;
  /** The info last recorded, as JSON, so an unchanged one is not written again. */
  infoText = '';

  constructor(readonly ws: WebSocket, now: number) {
    this.nonce = randomBytes(24).toString('base64url');
    this.lastFrameAt = now;
  }

  send(frame: ServerFrame): boolean {
    if (this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }
}

/**
 * The agent side of the server (DESIGN.md, "Agent protocol"): one
 * WebSocket per node at /agent/v1, challenge–response against the node's
 * registered Ed25519 key on every connection, heartbeats recorded in
 * batches so a large fleet costs one transaction per second.
 */
export class AgentGateway implements AgentConnections {
  private readonly wss = new WebSocketServer({
    noServer: true,
    // Compression keeps a zlib context per socket: far too much memory for frames this small.
    perMessageDeflate: false,
    // Authenticated agents may send large results (a patch report lists every package); see receive().
    maxPayload: MAX_AGENT_FRAME_BYTES,
    // The gateway tracks its sessions itself.
    clientTracking: false,
  });
  private readonly sessions = new Set<AgentSession>();
  private readonly live = new Map<string, AgentSession>();
  /** Heartbeats and connections not yet written: id → changed info, or null. */
  private pending = new Map<string, NodeInfo | null>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private closing = false;
  private readonly flushIntervalMs: number;
  private readonly authTimeoutMs: number;
  private readonly silenceLimitMs: number;
  private invocations: InvocationFrameHandler | undefined;

  constructor(private readonly options: AgentGatewayOptions) {
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.authTimeoutMs = options.authTimeoutMs ?? 10_000;
    // Five missed heartbeats: the node is ConnectionLost in the database by then too.
    this.silenceLimitMs = options.pingTimeoutSeconds * 1000;
  }

  /** Serves WebSocket upgrades of `server` at /agent/v1 and starts the heartbeat tick. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    this.schedule();
  }

  get size(): number {
    return this.live.size;
  }

  connectionFor(instanceId: string): AgentConnection | undefined {
    return this.live.get(instanceId);
  }

  isConnected(instanceId: string): boolean {
    return this.live.has(instanceId);
  }

  disconnect(instanceId: string, reject: { code: string; message: string }): void {
    const session = this.live.get(instanceId);
    if (session) this.reject(session, reject.code, reject.message);
  }

  /**
   * Turns on Run Command: welcomes then list the invocations feature, and
   * the agent's invocation frames go to `handler`. Until then an agent never
   * sends them (it only volunteers frames the server lists).
   */
  handleInvocations(handler: InvocationFrameHandler): void {
    this.invocations = handler;
  }

  /** Writes pending heartbeats now (the tick does this every second). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writePending());
    return this.flushing;
  }

  /** Closes every agent socket (agents reconnect to another replica or after restart) and writes what is pending. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearTimeout(this.timer);
    for (const s of this.sessions) this.end(s, AGENT_CLOSE_CODES.goingAway, 'server shutting down');
    await this.flush();
    // A peer that does not answer the close handshake promptly is cut off.
    const deadline = performance.now() + 1000;
    while (this.sessions.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const s of this.sessions) s.ws.terminate();
    this.sessions.clear();
    this.live.clear();
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '').split('?')[0];
    if (path !== AGENT_WEBSOCKET_PATH || this.closing) {
      const status = this.closing ? '503 Service Unavailable' : '404 Not Found';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  private accept(ws: WebSocket): void {
    if (this.closing) {
      ws.close(AGENT_CLOSE_CODES.goingAway, 'server shutting down');
      return;
    }
    const session = new AgentSession(ws, performance.now());
    this.sessions.add(session);
    ws.on('message', (data, isBinary) => this.receive(session, data, isBinary));
    ws.on('close', () => this.forget(session));
    // Socket errors (resets, oversized frames) end in 'close'; nothing else to do.
    ws.on('error', (err) => this.options.logger.debug({ err, instanceId: session.instanceId || undefined }, 'agent socket error'));
    session.send({ v: AGENT_PROTOCOL_VERSION, type: 'challenge', nonce: session.nonce! });
  }

  private receive(session: AgentSession, data: RawData, isBinary: boolean): void {
    if (session.state === 'closed') return;
    if (session.state !== 'live' && rawLength(data) > MAX_UNAUTHENTICATED_FRAME_BYTES) {
      return this.end(session, AGENT_CLOSE_CODES.protocolError, 'frame too large');
    }
    const frame = isBinary ? undefined : parseFrame(agentFrameSchema, data.toString());
    if (!frame) return this.end(session, AGENT_CLOSE_CODES.protocolError, 'malformed frame');
    session.lastFrameAt = performance.now();
    if (session.state === 'live' && frame.type === 'heartbeat') return this.heartbeat(session, frame.info);
    if (session.state === 'live' && this.invocations) {
      const id = session.instanceId;
      switch (frame.type) {
        case 'pending.request':
          return this.invocations.pendingRequested(id);
        case 'invocation.accepted':
          return this.invocations.accepted(id, frame.invocationId);
        case 'invocation.output':
          return this.invocations.output(id, frame);
        case 'invocation.result':
          return this.invocations.result(id, frame);
      }
    }
    if (session.state === 'challenged' && frame.type === 'auth') {
      session.state = 'authenticating';
      this.authenticate(session, frame).catch((err) => {
        this.options.logger.error({ err, instanceId: frame.instanceId }, 'agent authentication failed unexpectedly');
        this.end(session, AGENT_CLOSE_CODES.tryAgainLater, 'try again later');
      });
      return;
    }
    // Auth twice, a heartbeat before welcome, or anything while authenticating.
    this.end(session, AGENT_CLOSE_CODES.protocolError, `unexpected ${frame.type} frame`);
  }

  private async authenticate(session: AgentSession, frame: Extract<AgentFrame, { type: 'auth' }>): Promise<void> {
    const { instanceId } = frame;
    let node;
    try {
      node = await this.options.nodes.credentials(instanceId);
    } catch (err) {
      this.options.logger.error({ err, instanceId }, 'could not load a node to authenticate it');
      return this.end(session, AGENT_CLOSE_CODES.tryAgainLater, 'try again later');
    }
    if (session.state !== 'authenticating') return;
    if (!node) return this.reject(session, REJECT_CODES.unknownNode, `No managed node ${instanceId} is registered here; register again.`);
    if (node.pingStatus === 'Inactive') {
      return this.reject(session, REJECT_CODES.deregistered, `Managed node ${instanceId} was deregistered; register again to reconnect.`);
    }
    if (!signatureValid(node.publicKey, authChallengeText(instanceId, session.nonce!), frame.signature)) {
      this.options.logger.warn({ instanceId }, 'agent connection refused: the signature does not match the registered key');
      return this.reject(session, REJECT_CODES.invalidSignature, 'The signature does not verify with the key registered for this node.');
    }

    session.state = 'live';
    session.instanceId = instanceId;
    session.nonce = undefined;
    const previous = this.live.get(instanceId);
    if (previous) this.end(previous, AGENT_CLOSE_CODES.replaced, 'replaced by a newer connection');
    this.live.set(instanceId, session);
    // Both texts list the members in schema order (zod's output and the store's), so equal info gives equal text.
    session.infoText = JSON.stringify(frame.info);
    const unchanged = node.info !== undefined && JSON.stringify(node.info) === session.infoText;
    // Queued even when unchanged: the write is what brings a ConnectionLost node back Online.
    this.pending.set(instanceId, unchanged ? (this.pending.get(instanceId) ?? null) : frame.info);
    session.send({
      v: AGENT_PROTOCOL_VERSION,
      type: 'welcome',
      instanceId,
      heartbeatSeconds: this.options.heartbeatSeconds,
      serverVersion: this.options.serverVersion,
      ...(this.invocations ? { features: [AGENT_FEATURES.invocations] } : {}),
    });
  }

  private heartbeat(session: AgentSession, info: NodeInfo | undefined): void {
    const id = session.instanceId;
    if (info) {
      const text = JSON.stringify(info);
      if (text !== session.infoText) {
        session.infoText = text;
        this.pending.set(id, info);
        return;
      }
    }
    if (!this.pending.has(id)) this.pending.set(id, null);
  }

  private reject(session: AgentSession, code: string, message: string): void {
    session.send({ v: AGENT_PROTOCOL_VERSION, type: 'reject', code, message });
    this.end(session, AGENT_CLOSE_CODES.rejected, code);
  }

  private end(session: AgentSession, code: number, reason: string): void {
    if (session.state === 'closed') return;
    session.state = 'closed';
    this.unlist(session);
    session.ws.close(code, reason);
  }

  private forget(session: AgentSession): void {
    session.state = 'closed';
    this.unlist(session);
    this.sessions.delete(session);
  }

  private unlist(session: AgentSession): void {
    if (session.instanceId && this.live.get(session.instanceId) === session) this.live.delete(session.instanceId);
  }

  private schedule(): void {
    if (this.closing) return;
    this.timer = setTimeout(() => {
      this.expireSilent();
      void this.flush().finally(() => this.schedule());
    }, this.flushIntervalMs);
    this.timer.unref();
  }

  /** Closes connections that never authenticated in time, or went silent past the ping timeout. */
  private expireSilent(): void {
    const now = performance.now();
    for (const s of this.sessions) {
      if (s.state === 'closed') continue;
      const limit = s.state === 'live' ? this.silenceLimitMs : this.authTimeoutMs;
      if (now - s.lastFrameAt > limit) this.end(s, AGENT_CLOSE_CODES.timeout, s.state === 'live' ? 'no heartbeat' : 'authentication timed out');
    }
  }

  private async writePending(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    let result;
    try {
      result = await this.options.nodes.recordPings([...batch] as PingEntry[], this.options.clock().getTime());
    } catch (err) {
      this.options.logger.error({ err, nodes: batch.size }, 'could not record agent heartbeats; retrying');
      // Keep what was not written, without losing info that arrived meanwhile.
      for (const [id, info] of batch) if (!this.pending.get(id)) this.pending.set(id, info);
      return;
    }
    for (const id of result.gone) {
      this.disconnect(id, { code: REJECT_CODES.deregistered, message: `Managed node ${id} was deregistered; register again to reconnect.` });
    }
    if (result.cameOnline.length) this.options.logger.debug({ nodes: result.cameOnline.length }, 'nodes back online');
  }
}

function rawLength(data: RawData): number {
  return Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data instanceof ArrayBuffer ? data.byteLength : data.length;
}

/** Ed25519 check of an auth signature against a stored SPKI key; any malformed input is simply invalid. */
function signatureValid(publicKeyBase64: string, text: string, signatureBase64: string): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(publicKeyBase64, 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ed25519' && verify(null, Buffer.from(text, 'utf8'), key, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}
