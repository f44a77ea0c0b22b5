import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  AGENT_PROTOCOL_VERSION,
  AGENT_REGISTER_PATH,
  AGENT_WEBSOCKET_PATH,
  agentFrameSchema,
  authChallengeText,
  parseFrame,
  registerRequestSchema,
  type AgentFrame,
  type RegisterRequest,
} from '@tend/protocol';

/**
 * A stand-in for the server's agent endpoints, scriptable per test: it lets
 * the connection's edge cases (silence, rejects, drops) be provoked
 * precisely. End-to-end behaviour is tested against the real server.
 */
export interface FakeGateway {
  url: string;
  port: number;
  /** Every registration request, in order. */
  registrations: RegisterRequest[];
  /** Frames received from authenticated agents. */
  frames: Array<{ instanceId: string; frame: AgentFrame }>;
  /** Open sockets of authenticated agents. */
  sockets: Map<string, WebSocket>;
  /** Number of WebSocket connections accepted so far. */
  connections: number;
  /** Number of connections authenticated (welcomed) so far. */
  welcomes: number;
  /** Scripting: what registration answers (default: 200 with a new id). */
  registerAnswer: (request: RegisterRequest) => { status: number; body: unknown; headers?: Record<string, string> };
  /** Scripting: reject this instance at auth with this code. */
  rejectAt: Map<string, string>;
  heartbeatSeconds: number;
  /** Scripting: `features` sent in the welcome (absent when undefined, like servers that predate them). */
  features: string[] | undefined;
  /** Scripting: accept connections but never send the challenge. */
  withholdChallenge: boolean;
  keys: Map<string, string>;
  close(): Promise<void>;
}

export interface FakeGatewayOptions {
  port?: number;
  /** false: never answer pings, like a server whose process is stopped. */
  autoPong?: boolean;
  /** Registered public keys by instance id; pass an earlier gateway's to simulate a restart. */
  keys?: Map<string, string>;
}

export async function startFakeGateway(options: FakeGatewayOptions = {}): Promise<FakeGateway> {
  const keys = options.keys ?? new Map<string, string>();
  let counter = keys.size;
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== AGENT_REGISTER_PATH) {
      res.writeHead(404).end();
      return;
    }
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const request = parseFrame(registerRequestSchema, body);
      if (!request) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ __type: 'ValidationException', message: 'bad request' }));
        return;
      }
      gateway.registrations.push(request);
      const answer = gateway.registerAnswer(request);
      const instanceId = (answer.body as { instanceId?: string } | undefined)?.instanceId;
      if (answer.status === 200 && instanceId) keys.set(instanceId, request.publicKey);
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(JSON.stringify(answer.body));
    });
  });
  const wss = new WebSocketServer({ server, path: AGENT_WEBSOCKET_PATH, autoPong: options.autoPong ?? true });
  wss.on('connection', (ws) => {
    gateway.connections++;
    const nonce = randomBytes(24).toString('base64');
    let instanceId: string | undefined;
    if (!gateway.withholdChallenge) ws.send(JSON.stringify({ v: AGENT_PROTOCOL_VERSION, type: 'challenge', nonce }));
    ws.on('message', (data) => {
      const frame = parseFrame(agentFrameSchema, data.toString());
      if (!frame) return ws.close(1008, 'malformed frame');
      if (!instanceId) {
        if (frame.type !== 'auth') return ws.close(1008, 'auth first');
        const rejection = gateway.rejectAt.get(frame.instanceId);
        const publicKey = keys.get(frame.instanceId);
        const valid =
          publicKey !== undefined &&
          verify(
            null,
            Buffer.from(authChallengeText(frame.instanceId, nonce)),
            createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' }),
            Buffer.from(frame.signature, 'base64'),
          );
        if (rejection || !valid) {
          ws.send(JSON.stringify({ v: AGENT_PROTOCOL_VERSION, type: 'reject', code: rejection ?? 'InvalidSignature', message: 'refused by the fake gateway' }));
          return ws.close(1008, 'rejected');
        }
        instanceId = frame.instanceId;
        gateway.sockets.set(instanceId, ws);
        gateway.welcomes++;
        ws.send(JSON.stringify({ v: AGENT_PROTOCOL_VERSION, type: 'welcome', instanceId, heartbeatSeconds: gateway.heartbeatSeconds, serverVersion: 'fake', ...(gateway.features && { features: gateway.features }) }));
      }
      gateway.frames.push({ instanceId, frame });
    });
    ws.on('close', () => {
      if (instanceId && gateway.sockets.get(instanceId) === ws) gateway.sockets.delete(instanceId);
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const gateway: FakeGateway = {
    url: `http://127.0.0.1:${port}`,
    port,
    registrations: [],
    frames: [],
    sockets: new Map(),
    connections: 0,
    welcomes: 0,
    registerAnswer: () => ({ status: 200, body: { instanceId: `mi-${(++counter).toString(16).padStart(17, '0')}` } }),
    rejectAt: new Map(),
    heartbeatSeconds: 60,
    withholdChallenge: false,
    features: undefined,
    keys,
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return gateway;
}
