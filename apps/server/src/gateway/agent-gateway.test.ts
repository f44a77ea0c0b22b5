import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AGENT_FEATURES, AGENT_PROTOCOL_VERSION, AGENT_WEBSOCKET_PATH, MAX_AGENT_FRAME_BYTES } from '@tend/protocol';
import { describeEachDatabase, startTestServer, type TestServer } from '../testing/test-server.js';
import { TEND_VERSION } from '../version.js';
import { createTestActivation, describeNode, eventually, nodeEvents, registerTestNode } from '../domains/nodes/node-test-support.js';
import { connectAgent, newIdentity, openAgentSocket, testNodeInfo } from './test-agent.js';

describeEachDatabase('agent gateway', (dialect) => {
  let t: TestServer;
  let activation: { activationId: string; activationCode: string };
  beforeAll(async () => {
    t = await startTestServer(dialect);
    activation = await createTestActivation(t, { RegistrationLimit: 100 });
  });
  afterAll(async () => t?.close());

  const agents = () => t.server.services.agents;

  it('welcomes a node that proves possession of its registered key', async () => {
    const { instanceId, identity } = await registerTestNode(t, activation);
    const { connection, answer } = await connectAgent(t.url, instanceId, identity);
    // The default 300 s ping timeout asks for a heartbeat every 60 s; the server runs commands, so it says it speaks their frames.
    expect(answer).toEqual({
      v: AGENT_PROTOCOL_VERSION,
      type: 'welcome',
      instanceId,
      heartbeatSeconds: 60,
      serverVersion: TEND_VERSION,
      features: [AGENT_FEATURES.invocations],
    });
    expect(agents().isConnected(instanceId)).toBe(true);
    expect(agents().connectionFor(instanceId)?.instanceId).toBe(instanceId);
    await connection.close();
    await eventually(async () => !agents().isConnected(instanceId));
  });

  it('records heartbeats in batches: LastPingDateTime advances and changed info is stored', async () => {
    const { instanceId, identity } = await registerTestNode(t, activation, { info: testNodeInfo({ computerName: 'old-name' }) });
    const registered = (await describeNode(t, instanceId))!;
    expect(registered.ComputerName).toBe('old-name');
    const { connection } = await connectAgent(t.url, instanceId, identity, { info: testNodeInfo({ computerName: 'new-name' }) });
    await eventually(async () => (await describeNode(t, instanceId))?.ComputerName === 'new-name');

    await new Promise((r) => setTimeout(r, 1100));
    connection.heartbeat(testNodeInfo({ computerName: 'new-name', agentVersion: '9.9.9', ipAddress: '10.9.9.9' }));
    const after = await eventually(async () => {
      const node = await describeNode(t, instanceId);
      return node?.AgentVersion === '9.9.9' ? node : undefined;
    });
    expect(after).toMatchObject({ IPAddress: '10.9.9.9', PingStatus: 'Online', IsLatestVersion: false });
    expect(after.LastPingDateTime!.getTime()).toBeGreaterThan(registered.LastPingDateTime!.getTime());
    // Info-less heartbeats move the ping time too.
    await new Promise((r) => setTimeout(r, 1100));
    connection.heartbeat();
    await eventually(async () => (await describeNode(t, instanceId))!.LastPingDateTime!.getTime() > after.LastPingDateTime!.getTime());
    await connection.close();
  });

  it('refuses a wrong signature, an unknown node and a deregistered node with a reject frame', async () => {
    const { instanceId, identity } = await registerTestNode(t, activation);
    const forged = await connectAgent(t.url, instanceId, identity, { signWith: newIdentity().privateKey });
    expect(forged.answer).toMatchObject({ type: 'reject', code: 'InvalidSignature' });
    expect((await forged.connection.closed).code).toBe(4003);
    expect(agents().isConnected(instanceId)).toBe(false);

    const unknown = await connectAgent(t.url, 'mi-0123456789abcdef0', identity);
    expect(unknown.answer).toMatchObject({ type: 'reject', code: 'UnknownNode' });
    expect((await unknown.connection.closed).code).toBe(4003);

    await t.api.call('AmazonSSM.DeregisterManagedInstance', { InstanceId: instanceId });
    const dead = await connectAgent(t.url, instanceId, identity);
    expect(dead.answer).toMatchObject({ type: 'reject', code: 'Deregistered' });
    expect((await dead.connection.closed).code).toBe(4003);
  });

  it('closes the connection on anything but well-formed frames in order', async () => {
    const { instanceId, identity } = await registerTestNode(t, activation);
    const garbage = await openAgentSocket(t.url);
    garbage.sendRaw('{"v":1,"type":"auth"');
    expect((await garbage.closed).code).toBe(1002);

    const wrongShape = await openAgentSocket(t.url);
    wrongShape.sendRaw(JSON.stringify({ v: 1, type: 'auth', instanceId, signature: 'x' }));
    expect((await wrongShape.closed).code).toBe(1002);

    const binary = await openAgentSocket(t.url);
    binary.ws.send(Buffer.from(JSON.stringify({ v: 1, type: 'heartbeat' })), { binary: true });
    expect((await binary.closed).code).toBe(1002);

    const early = await openAgentSocket(t.url);
    early.heartbeat();
    expect((await early.closed).code).toBe(1002);

    const twice = await connectAgent(t.url, instanceId, identity);
    expect(twice.answer.type).toBe('welcome');
    twice.connection.sendRaw(JSON.stringify({ v: 1, type: 'auth', instanceId, signature: 'eA==', info: testNodeInfo() }));
    expect((await twice.connection.closed).code).toBe(1002);

    // Before authentication frames stay small; afterwards results may be large (a patch report), up to a limit.
    const unauthenticatedLarge = await openAgentSocket(t.url);
    unauthenticatedLarge.ws.send('x'.repeat(70 * 1024));
    expect((await unauthenticatedLarge.closed).code).toBe(1002);
    const oversized = await connectAgent(t.url, instanceId, identity);
    oversized.connection.sendRaw('x'.repeat(MAX_AGENT_FRAME_BYTES + 1));
    expect((await oversized.connection.closed).code).toBe(1009);
  });

  it('keeps one connection per node: a new one replaces the old', async () => {
    const { instanceId, identity } = await registerTestNode(t, activation);
    const first = await connectAgent(t.url, instanceId, identity);
    const second = await connectAgent(t.url, instanceId, identity);
    expect(second.answer.type).toBe('welcome');
    expect((await first.connection.closed).code).toBe(4009);
    expect(agents().isConnected(instanceId)).toBe(true);
    // The old socket closing does not take the new one's place away.
    await new Promise((r) => setTimeout(r, 100));
    expect(agents().isConnected(instanceId)).toBe(true);
    expect(agents().connectionFor(instanceId)?.send({ v: AGENT_PROTOCOL_VERSION, type: 'challenge', nonce: 'n'.repeat(16) })).toBe(true);
    await second.connection.close();
  });

  it('lets nodes of a deleted activation keep connecting', async () => {
    const temporary = await createTestActivation(t);
    const { instanceId, identity } = await registerTestNode(t, temporary);
    await t.api.call('AmazonSSM.DeleteActivation', { ActivationId: temporary.activationId });
    const { connection, answer } = await connectAgent(t.url, instanceId, identity);
    expect(answer.type).toBe('welcome');
    await connection.close();
  });

  it('answers other upgrade paths with 404', async () => {
    const port = Number(new URL(t.url).port);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.write(
          `GET ${AGENT_WEBSOCKET_PATH}/other HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
      let data = '';
      socket.on('data', (d) => (data += d.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1.1 404/);
  });

  it('writes no status event for a node that connects while Online', async () => {
    const { instanceId, identity } = await registerTestNode(t, activation);
    const { connection } = await connectAgent(t.url, instanceId, identity);
    connection.heartbeat();
    await new Promise((r) => setTimeout(r, 1200));
    expect((await nodeEvents(t, instanceId)).map((e) => e.type)).toEqual(['node.registered']);
    await connection.close();
  });
});

describeEachDatabase('agent gateway shutdown', (dialect) => {
  it('closes every agent socket with "going away" when the server stops', async () => {
    const t = await startTestServer(dialect);
    try {
      const activation = await createTestActivation(t, { RegistrationLimit: 3 });
      const connections = [];
      for (let i = 0; i < 3; i++) {
        const { instanceId, identity } = await registerTestNode(t, activation);
        connections.push((await connectAgent(t.url, instanceId, identity)).connection);
      }
      const pending = await openAgentSocket(t.url);
      await t.close();
      for (const c of [...connections, pending]) expect((await c.closed).code).toBe(1001);
    } finally {
      await t.close();
    }
  });
});
