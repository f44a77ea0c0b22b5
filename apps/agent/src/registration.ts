import http from 'node:http';
import https from 'node:https';
import {
  AGENT_REGISTER_PATH,
  REGISTER_ERROR_CODES,
  type NodeInfo,
  type RegisterRequest,
} from '@tend/protocol';
import { Backoff, sleep, type BackoffOptions } from './backoff.js';
import { generateIdentity, loadPrivateKey } from './identity.js';
import { silentLogger, type Logger } from './logger.js';
import { readState, writeState, type AgentState } from './state.js';

/** The server refused the registration (4xx): retrying with the same activation cannot help. */
export class RegistrationRefusedError extends Error {
  override readonly name = 'RegistrationRefused';
  constructor(
    /** The server's error code, e.g. InvalidActivation. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The agent speaks HTTP(S) and WebSocket to one base URL; anything else is a typo worth stopping for. */
function checkServerUrl(serverUrl: string): void {
  let url: URL | undefined;
  try {
    url = new URL(serverUrl);
  } catch {
    // reported below
  }
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
    throw new Error(`--server must be an http:// or https:// URL such as http://tend.example.com:8700, got "${serverUrl}"`);
  }
}

/** State of a node that has registered. */
export type RegisteredState = AgentState & { instanceId: string };

/** `http://host:8700/` and `http://host:8700` both lead to `http://host:8700<path>`; a proxy prefix is kept. */
export function serverEndpoint(serverUrl: string, endpointPath: string): string {
  const url = new URL(serverUrl);
  url.pathname = url.pathname.replace(/\/+$/, '') + endpointPath;
  url.search = '';
  url.hash = '';
  return url.toString();
}

function refusalMessage(activationId: string, code: string, serverMessage: string): string {
  const said = serverMessage ? `: ${serverMessage}` : '';
  switch (code) {
    case REGISTER_ERROR_CODES.invalid:
      return `activation ${activationId} was refused${said}. Check the activation id and code; the activation may also have been deleted.`;
    case REGISTER_ERROR_CODES.expired:
      return `activation ${activationId} has expired${said}. Create a new activation and start the agent with its id and code.`;
    case REGISTER_ERROR_CODES.limitReached:
      return `activation ${activationId} has reached its registration limit${said}. Create a new activation, or one with a higher registration limit.`;
    default:
      return `the server refused to register this node (${code})${said}`;
  }
}

export interface RegisterOptions {
  serverUrl: string;
  activationId: string;
  activationCode: string;
  publicKey: string;
  info: NodeInfo;
  name?: string;
  tags?: RegisterRequest['tags'];
  signal?: AbortSignal;
  logger?: Logger;
  backoff?: BackoffOptions;
  /** Per-request timeout. */
  requestTimeoutMs?: number;
}

/**
 * Registers a public key with an activation and returns the new instance
 * id. Network failures and 5xx answers are retried with backoff (the server
 * may still be starting); a 4xx is a RegistrationRefusedError.
 */
export async function registerNode(options: RegisterOptions): Promise<string> {
  const logger = options.logger ?? silentLogger;
  const url = serverEndpoint(options.serverUrl, AGENT_REGISTER_PATH);
  const body: RegisterRequest = {
    activationId: options.activationId,
    activationCode: options.activationCode,
    publicKey: options.publicKey,
    name: options.name,
    info: options.info,
    tags: options.tags?.length ? options.tags : undefined,
  };
  const backoff = new Backoff(options.backoff);
  for (;;) {
    options.signal?.throwIfAborted();
    let response: PostResult;
    let text: string;
    try {
      const timeout = AbortSignal.timeout(options.requestTimeoutMs ?? 30_000);
      response = await postJson(url, JSON.stringify(body), options.signal ? AbortSignal.any([options.signal, timeout]) : timeout);
      text = response.text;
    } catch (err) {
      if (options.signal?.aborted) throw err;
      await retryLater(describeRequestError(err));
      continue;
    }
    const json = parseJson(text);
    if (response.status >= 200 && response.status < 300) {
      const instanceId = typeof json?.instanceId === 'string' ? json.instanceId : '';
      if (!/^mi-[0-9a-f]{17}$/.test(instanceId)) throw new Error(`the server answered the registration without a valid instance id: ${text.slice(0, 200)}`);
      return instanceId;
    }
    // The AWS JSON error shape; `code`/`Message` are tolerated for other gateways.
    const code = String(json?.__type ?? json?.code ?? `HTTP ${response.status}`).replace(/^.*#/, '');
    if (code === REGISTER_ERROR_CODES.throttled) {
      // Too many failed attempts from this address (other machines behind the same NAT, say): wait as told.
      await retryLater(code, Number(response.retryAfter) * 1000 || 0);
      continue;
    }
    if (response.status >= 400 && response.status < 500) {
      const message = String(json?.message ?? json?.Message ?? '');
      throw new RegistrationRefusedError(code, refusalMessage(options.activationId, code, message));
    }
    await retryLater(`HTTP ${response.status}`);
  }

  async function retryLater(reason: string, atLeastMs = 0): Promise<void> {
    const delay = Math.max(atLeastMs, backoff.next());
    logger.warn('registration failed, retrying', { server: options.serverUrl, reason, retryInMs: delay });
    await sleep(delay, options.signal);
  }
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function describeRequestError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return (err as NodeJS.ErrnoException).code ?? err.message;
}

interface PostResult {
  status: number;
  retryAfter?: string;
  text: string;
}

/**
 * One JSON POST over node:http(s). Not fetch: undici and its WebAssembly
 * parser stay resident after the first use, about 15 MB of an agent that
 * otherwise idles near 50 MB.
 */
function postJson(url: string, body: string, signal: AbortSignal): Promise<PostResult> {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, signal },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const retryAfter = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, text: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export interface EnsureRegisteredOptions {
  stateDir: string;
  /** Required on the first start; later it overrides the saved URL (a moved server). */
  serverUrl?: string;
  /** Only read on the first start: a registered node never sends the code again. */
  activationId?: string;
  activationCode?: string;
  name?: string;
  tags?: RegisterRequest['tags'];
  /** Collected lazily: only a first start needs it before connecting. */
  info: () => Promise<NodeInfo> | NodeInfo;
  signal?: AbortSignal;
  logger?: Logger;
  backoff?: BackoffOptions;
  /** Whether state writes are flushed to disk (the simulator trades this for speed). */
  durable?: boolean;
}

/**
 * The node's registered state: read from the state dir, or created by
 * registering. The key pair is saved before registering, so a retry after a
 * crash presents the same key.
 */
export async function ensureRegistered(options: EnsureRegisteredOptions): Promise<RegisteredState & { registeredNow: boolean }> {
  const logger = options.logger ?? silentLogger;
  if (options.serverUrl) checkServerUrl(options.serverUrl);
  let state = await readState(options.stateDir);
  if (state?.instanceId) {
    loadPrivateKey(state.privateKey); // fail now, clearly, rather than at every connection
    const registered = state as RegisteredState;
    if (options.serverUrl && options.serverUrl !== state.serverUrl) {
      logger.warn('server URL differs from the saved one; using the new one', { saved: state.serverUrl, server: options.serverUrl });
      await writeState(options.stateDir, { ...registered, serverUrl: options.serverUrl }, { durable: options.durable });
      return { ...registered, serverUrl: options.serverUrl, registeredNow: false };
    }
    return { ...registered, registeredNow: false };
  }
  const serverUrl = options.serverUrl ?? state?.serverUrl;
  const missing = [
    !serverUrl && '--server',
    !options.activationId && '--activation-id',
    !options.activationCode && '--activation-code',
  ].filter(Boolean);
  if (missing.length) {
    throw new Error(`${options.stateDir} holds no registered node yet: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} needed to register it`);
  }
  if (!state || state.serverUrl !== serverUrl) {
    const identity = state ? { privateKeyPem: state.privateKey, publicKey: state.publicKey } : generateIdentity();
    state = { serverUrl: serverUrl!, privateKey: identity.privateKeyPem, publicKey: identity.publicKey };
    await writeState(options.stateDir, state, { durable: options.durable });
  }
  const instanceId = await registerNode({
    serverUrl: serverUrl!,
    activationId: options.activationId!,
    activationCode: options.activationCode!,
    publicKey: state.publicKey,
    info: await options.info(),
    name: options.name,
    tags: options.tags,
    signal: options.signal,
    logger: options.logger,
    backoff: options.backoff,
  });
  const registered: RegisteredState = { ...state, instanceId };
  await writeState(options.stateDir, registered, { durable: options.durable });
  logger.info('registered', { instanceId, activationId: options.activationId });
  return { ...registered, registeredNow: true };
}
