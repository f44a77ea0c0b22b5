import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { WebSocket } from 'ws';
import {
  AGENT_PROTOCOL_VERSION,
  AGENT_REGISTER_PATH,
  AGENT_WEBSOCKET_PATH,
  authChallengeText,
  parseFrame,
  serverFrameSchema,
  type NodeInfo,
  type ServerFrame,
} from '@tend/protocol';

/**
 * A minimal agent for the server's own tests: registers over HTTP and
 * speaks the WebSocket protocol with a real Ed25519 key. (The real agent
 * and its end-to-end tests live in apps/agent.)
 */

export interface TestIdentity {
  privateKey: KeyObject;
  /** SPKI DER, base64, as registration sends it. */
  publicKey: string;
}

export function newIdentity(): TestIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64') };
}

export function testNodeInfo(overrides: Partial<NodeInfo> = {}): NodeInfo {
  return {
    computerName: 'web-1.example.internal',
    ipAddress: '10.0.0.11',
    platformType: 'Linux',
    platformName: 'Debian GNU/Linux',
    platformVersion: '12',
    agentVersion: '0.1.0',
    ...overrides,
  };
}

export interface RegisterAnswer {
  status: number;
  body: { instanceId?: string; __type?: string; message?: string };
  headers: Headers;
}

/** POST /agent/v1/register with a fresh key unless one is given. */
export async function registerNode(
  serverUrl: string,
  request: { activationId: string; activationCode: string; name?: string; tags?: { Key: string; Value: string }[]; info?: NodeInfo; identity?: TestIdentity },
): Promise<RegisterAnswer & { identity: TestIdentity }> {
  const identity = request.identity ?? newIdentity();
  const res = await fetch(serverUrl + AGENT_REGISTER_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      activationId: request.activationId,
      activationCode: request.activationCode,
      publicKey: identity.publicKey,
      name: request.name,
      tags: request.tags,
      info: request.info ?? testNodeInfo(),
    }),
  });
  return { status: res.status, body: (await res.json()) as RegisterAnswer['body'], headers: res.headers, identity };
}

/** One agent connection: frames received so far and how it closed. */
export class TestAgentConnection {
  readonly frames: ServerFrame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: (() => void)[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = parseFrame(serverFrameSchema, data.toString());
      if (!frame) throw new Error(`server sent a malformed frame: ${data.toString()}`);
      this.frames.push(frame);
      for (const w of this.waiters.splice(0)) w();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('error', () => {});
  }

  /** The first received frame of one of these types (waits for it, up to 5 s). */
  async next<T extends ServerFrame['type']>(...types: T[]): Promise<Extract<ServerFrame, { type: T }>> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const found = this.frames.find((f) => (types as string[]).includes(f.type));
      if (found) return found as Extract<ServerFrame, { type: T }>;
      if (Date.now() > deadline || this.ws.readyState === WebSocket.CLOSED) {
        throw new Error(`no ${types.join('/')} frame (got ${this.frames.map((f) => f.type).join(', ') || 'nothing'})`);
      }
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  sendRaw(data: string): void {
    this.ws.send(data);
  }

  heartbeat(info?: NodeInfo): void {
    this.sendRaw(JSON.stringify({ v: AGENT_PROTOCOL_VERSION, type: 'heartbeat', ...(info ? { info } : {}) }));
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }
}

/** Opens a WebSocket to the gateway (no authentication yet). */
export async function openAgentSocket(serverUrl: string): Promise<TestAgentConnection> {
  const ws = new WebSocket(serverUrl.replace(/^http/, 'ws') + AGENT_WEBSOCKET_PATH);
  const connection = new TestAgentConnection(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return connection;
}

/**
 * Connects and answers the challenge; returns once the server welcomed or
 * rejected. `signWith` lets a test sign with another key.
 */
export async function connectAgent(
  serverUrl: string,
  instanceId: string,
  identity: TestIdentity,
  options: { info?: NodeInfo; signWith?: KeyObject } = {},
): Promise<{ connection: TestAgentConnection; answer: Extract<ServerFrame, { type: 'welcome' | 'reject' }> }> {
  const connection = await openAgentSocket(serverUrl);
  const challenge = await connection.next('challenge');
  const signature = sign(null, Buffer.from(authChallengeText(instanceId, challenge.nonce)), options.signWith ?? identity.privateKey).toString('base64');
  connection.sendRaw(JSON.stringify({ v: AGENT_PROTOCOL_VERSION, type: 'auth', instanceId, signature, info: options.info ?? testNodeInfo() }));
  const answer = await connection.next('welcome', 'reject');
  return { connection, answer };
}
