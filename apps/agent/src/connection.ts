import type { KeyObject } from 'node:crypto';
import WebSocket from 'ws';
import {
  AGENT_CLOSE_CODES,
  AGENT_PROTOCOL_VERSION,
  AGENT_WEBSOCKET_PATH,
  challengeFrame,
  rejectFrame,
  welcomeFrame,
  type AgentFrame,
  type NodeInfo,
} from '@tend/protocol';
import { Backoff, sleep, type BackoffOptions } from './backoff.js';
import { FrameHandlers, type FrameContext } from './frame-handlers.js';
import { signChallenge } from './identity.js';
import { silentLogger, type Logger } from './logger.js';
import { serverEndpoint } from './registration.js';

/** The server refused this identity (deregistered, unknown, bad signature): reconnecting with the same key is pointless. */
export class AgentRejectedError extends Error {
  override readonly name = 'AgentRejected';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ConnectionOptions {
  serverUrl: string;
  instanceId: string;
  privateKey: KeyObject;
  /**
   * The node's current facts; called at connect and at every heartbeat, and
   * sent again only when they changed. Returning the same object when
   * nothing changed makes the comparison free.
   */
  info: () => NodeInfo;
  /** Stops the connection for good (agent shutdown). */
  signal: AbortSignal;
  handlers?: FrameHandlers;
  logger?: Logger;
  backoff?: BackoffOptions;
  /** A connection that stayed authenticated this long resets the backoff (default 10 s). */
  healthyAfterMs?: number;
  /** Upgrade, challenge, auth and welcome must complete within this (default 15 s). */
  handshakeTimeoutMs?: number;
  /**
   * How often the server must show signs of life (a pong, any frame); two
   * silent periods in a row end the connection (default 30 s, or the
   * heartbeat interval if shorter).
   */
  livenessMs?: number;
  /** Told when the node goes online (authenticated) and offline again. */
  onStatus?: (online: boolean) => void;
}

/** How one connection attempt ended. */
interface AttemptOutcome {
  /** When the server welcomed us, if it did. */
  welcomedAt?: number;
  rejection?: { code: string; message: string };
  reason: string;
}

const NO_HANDLERS = new FrameHandlers();

/** The agent endpoint as a WebSocket URL: http → ws, https → wss. */
export function websocketUrl(serverUrl: string): string {
  return serverEndpoint(serverUrl, AGENT_WEBSOCKET_PATH).replace(/^http/, 'ws');
}

/**
 * Keeps one authenticated WebSocket to the server until `signal` aborts:
 * challenge–response authentication, heartbeats at the interval the server
 * asks for, dead-connection detection, and reconnection with exponential
 * backoff and full jitter. Resolves on abort; rejects with
 * AgentRejectedError when the server refuses the identity.
 */
export async function runConnection(options: ConnectionOptions): Promise<void> {
  const logger = options.logger ?? silentLogger;
  const backoff = new Backoff(options.backoff);
  const url = websocketUrl(options.serverUrl);
  while (!options.signal.aborted) {
    const outcome = await connectOnce(url, options, logger);
    if (options.signal.aborted) return;
    if (outcome.rejection) {
      const { code, message } = outcome.rejection;
      throw new AgentRejectedError(code, `the server refused node ${options.instanceId} (${code}): ${message}`);
    }
    if (outcome.welcomedAt !== undefined && Date.now() - outcome.welcomedAt >= (options.healthyAfterMs ?? 10_000)) backoff.reset();
    const delay = backoff.next();
    logger.warn('disconnected, reconnecting', { instanceId: options.instanceId, reason: outcome.reason, retryInMs: delay });
    await sleep(delay, options.signal);
  }
}

/** One connection from dial to close. All its state lives in this closure, freed when it ends. */
function connectOnce(url: string, options: ConnectionOptions, logger: Logger): Promise<AttemptOutcome> {
  const { instanceId, signal } = options;
  const handlers = options.handlers ?? NO_HANDLERS;
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 15_000;
  return new Promise((resolve) => {
    logger.debug('connecting', { instanceId, url });
    const ws = new WebSocket(url, {
      // Compression would cost a zlib context (~100s of KB) per connection: the simulator holds thousands.
      perMessageDeflate: false,
      handshakeTimeout: handshakeTimeoutMs,
      maxPayload: 16 * 1024 * 1024,
    });
    const outcome: AttemptOutcome = { reason: 'connection closed' };
    let phase: 'challenge' | 'welcome' | 'online' = 'challenge';
    let heard = true;
    let lastInfo: NodeInfo | undefined;
    let tick: NodeJS.Timeout | undefined;
    let context: FrameContext | undefined;

    const end = (reason: string, graceful: boolean) => {
      outcome.reason = reason;
      if (graceful) ws.close(1000, reason.slice(0, 120));
      else ws.terminate();
    };
    const handshakeTimer = setTimeout(() => end('handshake timed out', false), handshakeTimeoutMs);
    const onAbort = () => {
      end('agent stopping', true);
      // A server that never answers the close must not hold up shutdown.
      setTimeout(() => ws.terminate(), 2000).unref();
    };
    signal.addEventListener('abort', onAbort, { once: true });

    const send = (frame: AgentFrame): boolean => {
      if (ws.readyState !== WebSocket.OPEN) return false;
      ws.send(JSON.stringify(frame));
      return true;
    };
    const currentInfo = () => {
      const info = options.info();
      const changed = info !== lastInfo && !sameInfo(info, lastInfo);
      lastInfo = info;
      return changed ? info : undefined;
    };

    const goOnline = (heartbeatSeconds: number, features: readonly string[]) => {
      phase = 'online';
      clearTimeout(handshakeTimer);
      outcome.welcomedAt = Date.now();
      const heartbeatMs = heartbeatSeconds * 1000;
      const tickMs = Math.min(heartbeatMs, options.livenessMs ?? 30_000);
      let lastBeat = Date.now();
      tick = setInterval(() => {
        // Silent since the previous tick's ping: the peer or the path is gone even if TCP has not noticed.
        if (!heard) return end('no answer from the server', false);
        heard = false;
        ws.ping();
        // Wall-clock time, so a process resumed after a stop (SIGSTOP, a suspended VM) beats at once.
        if (Date.now() - lastBeat >= heartbeatMs - tickMs / 2) {
          lastBeat = Date.now();
          const info = currentInfo();
          send(info ? { v: AGENT_PROTOCOL_VERSION, type: 'heartbeat', info } : { v: AGENT_PROTOCOL_VERSION, type: 'heartbeat' });
        }
      }, tickMs);
      logger.info('online', { instanceId, heartbeatSeconds });
      options.onStatus?.(true);
      context = { instanceId, send, logger, signal, features };
      handlers.online(context);
    };

    const onFrame = (json: Record<string, unknown>) => {
      const type = typeof json.type === 'string' ? json.type : '';
      if (json.v !== AGENT_PROTOCOL_VERSION) {
        logger.warn('ignoring frame of another protocol version', { instanceId, type, v: json.v });
        return;
      }
      if (type === 'reject') {
        const frame = rejectFrame.safeParse(json);
        outcome.rejection = frame.success ? { code: frame.data.code, message: frame.data.message } : { code: 'Rejected', message: 'no reason given' };
        return end('rejected', true);
      }
      if (phase === 'challenge' && type === 'challenge') {
        const frame = challengeFrame.safeParse(json);
        if (!frame.success) return end('malformed challenge', true);
        phase = 'welcome';
        const info = options.info();
        lastInfo = info;
        send({ v: AGENT_PROTOCOL_VERSION, type: 'auth', instanceId, signature: signChallenge(options.privateKey, instanceId, frame.data.nonce), info });
        return;
      }
      if (phase === 'welcome' && type === 'welcome') {
        const frame = welcomeFrame.safeParse(json);
        if (!frame.success) return end('malformed welcome', true);
        return goOnline(frame.data.heartbeatSeconds, frame.data.features ?? []);
      }
      if (phase === 'online' && context) return handlers.dispatch(type, json, context);
      logger.warn('ignoring unexpected frame', { instanceId, type, phase });
    };

    ws.on('message', (data, isBinary) => {
      heard = true;
      if (isBinary) return;
      let json: unknown;
      try {
        json = JSON.parse(data.toString());
      } catch {
        logger.warn('ignoring frame that is not JSON', { instanceId });
        return;
      }
      if (json && typeof json === 'object') onFrame(json as Record<string, unknown>);
    });
    ws.on('pong', () => (heard = true));
    ws.on('ping', () => (heard = true));
    ws.on('error', (err) => {
      // 'close' always follows; keep the first, most specific reason.
      if (outcome.reason === 'connection closed') outcome.reason = describeSocketError(err);
    });
    ws.on('close', (code, reason) => {
      clearTimeout(handshakeTimer);
      clearInterval(tick);
      signal.removeEventListener('abort', onAbort);
      if (code === AGENT_CLOSE_CODES.replaced) {
        // Two processes with one identity would take turns replacing each other forever; say so.
        outcome.reason = 'replaced by a newer connection of this node: is a second agent running with the same state dir?';
      } else if (outcome.reason === 'connection closed') {
        outcome.reason = `closed by the server (${code}${reason.length ? `: ${reason.toString()}` : ''})`;
      }
      if (phase === 'online') options.onStatus?.(false);
      resolve(outcome);
    });
  });
}

function describeSocketError(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code ? `${code}: ${err.message}` : err.message;
}

/** Field-by-field, so a field added to NodeInfo later is compared too. */
function sameInfo(a: NodeInfo, b: NodeInfo | undefined): boolean {
  if (b === undefined) return false;
  const keys = Object.keys(a) as Array<keyof NodeInfo>;
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
