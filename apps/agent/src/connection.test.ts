import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AGENT_PROTOCOL_VERSION, type NodeInfo } from '@tend/protocol';
import { AgentRejectedError, runConnection, websocketUrl, type ConnectionOptions } from './connection.js';
import { FrameHandlers } from './frame-handlers.js';
import { loadPrivateKey } from './identity.js';
import { ensureRegistered } from './registration.js';
import { startFakeGateway, type FakeGateway } from './testing/fake-gateway.js';
import { eventually } from './testing/eventually.js';

const INFO: NodeInfo = {
  computerName: 'host-1',
  ipAddress: '10.0.0.1',
  platformType: 'Linux',
  platformName: 'Ubuntu',
  platformVersion: '24.04',
  agentVersion: '0.1.0',
};

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function gateway(options: Parameters<typeof startFakeGateway>[0] = {}): Promise<FakeGateway> {
  const g = await startFakeGateway(options);
  cleanups.push(() => g.close());
  return g;
}

/** Registers a node with the gateway and starts its connection; returns handles to steer and observe it. */
async function connect(g: FakeGateway, overrides: Partial<ConnectionOptions> = {}) {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-agent-conn-'));
  cleanups.push(() => fs.rmSync(stateDir, { recursive: true, force: true }));
  const state = await ensureRegistered({ stateDir, serverUrl: g.url, activationId: 'a', activationCode: 'c', info: () => INFO });
  const controller = new AbortController();
  const statuses: boolean[] = [];
  const done = runConnection({
    serverUrl: g.url,
    instanceId: state.instanceId,
    privateKey: loadPrivateKey(state.privateKey),
    info: () => INFO,
    signal: controller.signal,
    backoff: { baseMs: 50, capMs: 200 },
    onStatus: (online) => statuses.push(online),
    ...overrides,
  });
  // Stop it at the end of the test whatever happened.
  cleanups.push(async () => {
    controller.abort();
    await done.catch(() => {});
  });
  return { instanceId: state.instanceId, controller, done, statuses };
}

const heartbeats = (g: FakeGateway) => g.frames.filter((f) => f.frame.type === 'heartbeat');

describe('agent connection', () => {
  it('derives the WebSocket URL from the server URL', () => {
    expect(websocketUrl('http://h:8700')).toBe('ws://h:8700/agent/v1');
    expect(websocketUrl('https://h/tend/')).toBe('wss://h/tend/agent/v1');
  });

  it('proves its key, then heartbeats at the interval the server asked for', async () => {
    const g = await gateway();
    g.heartbeatSeconds = 1;
    const node = await connect(g);
    await eventually('online', () => node.statuses[0] === true);
    expect(g.frames[0]).toMatchObject({ instanceId: node.instanceId, frame: { type: 'auth', instanceId: node.instanceId, info: INFO } });
    const started = Date.now();
    await eventually('two heartbeats', () => heartbeats(g).length >= 2, 5000);
    expect(Date.now() - started).toBeGreaterThan(1500);
    // Unchanged facts are not repeated in heartbeats.
    expect(heartbeats(g).map((h) => h.frame)).toEqual([
      { v: AGENT_PROTOCOL_VERSION, type: 'heartbeat' },
      { v: AGENT_PROTOCOL_VERSION, type: 'heartbeat' },
    ]);
  });

  it('sends the facts again in a heartbeat when they change', async () => {
    const g = await gateway();
    g.heartbeatSeconds = 1;
    let info = INFO;
    const node = await connect(g, { info: () => info });
    await eventually('online', () => node.statuses[0] === true);
    info = { ...INFO, ipAddress: '10.0.0.2' };
    await eventually('a heartbeat', () => heartbeats(g).length >= 1, 5000);
    expect(heartbeats(g)[0].frame).toEqual({ v: AGENT_PROTOCOL_VERSION, type: 'heartbeat', info });
  });

  it('reconnects after the server drops the connection, and after a server restart', async () => {
    const g = await gateway();
    const node = await connect(g);
    await eventually('online', () => g.sockets.has(node.instanceId));
    g.sockets.get(node.instanceId)!.terminate();
    await eventually('reconnected', () => g.welcomes === 2 && node.statuses.length === 3);

    await g.close();
    const restarted = await gateway({ port: g.port, keys: g.keys });
    await eventually('reconnected to the restarted server', () => restarted.welcomes === 1 && node.statuses.length === 5, 10_000);
    expect(node.statuses).toEqual([true, false, true, false, true]);
  });

  it('keeps retrying while the server is down', async () => {
    const g = await gateway();
    const node = await connect(g);
    await eventually('online', () => g.sockets.has(node.instanceId));
    await g.close();
    await new Promise((resolve) => setTimeout(resolve, 700)); // several attempts fail meanwhile
    const restarted = await gateway({ port: g.port, keys: g.keys });
    await eventually('reconnected', () => restarted.sockets.has(node.instanceId));
  });

  it('stops for good when the server rejects the identity', async () => {
    const g = await gateway();
    const node = await connect(g);
    await eventually('online', () => g.sockets.has(node.instanceId));
    g.rejectAt.set(node.instanceId, 'InstanceDeregistered');
    g.sockets.get(node.instanceId)!.close();
    const error = await node.done.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(AgentRejectedError);
    expect(error).toMatchObject({ code: 'InstanceDeregistered', message: expect.stringContaining(`refused node ${node.instanceId} (InstanceDeregistered)`) });
    const connections = g.connections;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(g.connections).toBe(connections);
  });

  it('detects a server that went silent and reconnects', async () => {
    const silent = await gateway({ autoPong: false });
    const node = await connect(silent, { livenessMs: 150 });
    await eventually('online', () => silent.sockets.has(node.instanceId));
    await eventually('gave up on the silent connection', () => node.statuses.length >= 2, 3000);
    await eventually('reconnected', () => silent.connections >= 2, 3000);
  });

  it('gives up on a handshake the server never finishes, and tries again', async () => {
    const g = await gateway();
    g.withholdChallenge = true;
    const node = await connect(g, { handshakeTimeoutMs: 200 });
    await eventually('a second attempt', () => g.connections >= 2, 3000);
    g.withholdChallenge = false;
    await eventually('online once the server answers', () => g.sockets.has(node.instanceId), 3000);
  });

  it('closes with 1000 and resolves promptly when aborted', async () => {
    const g = await gateway();
    const node = await connect(g);
    await eventually('online', () => g.sockets.has(node.instanceId));
    const socket = g.sockets.get(node.instanceId)!;
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    const started = Date.now();
    node.controller.abort();
    await node.done;
    expect(await closed).toBe(1000);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('dispatches command frames to registered handlers, validated', async () => {
    const g = await gateway();
    const seen: unknown[] = [];
    const handlers = new FrameHandlers()
      .on('echo', z.object({ v: z.literal(1), type: z.literal('echo'), text: z.string() }), (frame, context) => {
        seen.push(frame.text);
        context.send({ v: AGENT_PROTOCOL_VERSION, type: 'heartbeat' });
      })
      .on('boom', z.object({ type: z.literal('boom') }), () => {
        throw new Error('handler bug');
      });
    const node = await connect(g, { handlers });
    await eventually('online', () => g.sockets.has(node.instanceId));
    const socket = g.sockets.get(node.instanceId)!;
    socket.send(JSON.stringify({ v: 1, type: 'echo', text: 42 })); // invalid: dropped
    socket.send(JSON.stringify({ v: 1, type: 'unknown-later-frame' })); // ignored
    socket.send(JSON.stringify({ v: 1, type: 'boom' })); // a failing handler does not end the connection
    socket.send(JSON.stringify({ v: 1, type: 'echo', text: 'hello' }));
    await eventually('echo handled', () => seen.length === 1);
    expect(seen).toEqual(['hello']);
    await eventually('reply', () => heartbeats(g).length === 1);
    expect(node.statuses).toEqual([true]);
  });

  it('refuses handlers for handshake frames and duplicates', () => {
    expect(() => new FrameHandlers().on('welcome', z.any(), () => {})).toThrow(/handshake/);
    expect(() => new FrameHandlers().on('x', z.any(), () => {}).on('x', z.any(), () => {})).toThrow(/already registered/);
  });
});
