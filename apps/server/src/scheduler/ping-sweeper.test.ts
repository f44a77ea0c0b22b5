import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../testing/test-server.js';
import { createTestActivation, describeNode, eventually, nodeEvents, registerTestNode } from '../domains/nodes/node-test-support.js';
import { connectAgent } from '../gateway/test-agent.js';

describeEachDatabase('ping sweeper', (dialect) => {
  let t: TestServer;
  let activation: { activationId: string; activationCode: string };
  beforeAll(async () => {
    // 2 s timeout: heartbeats every 1 s, sweeps every 0.5 s.
    t = await startTestServer(dialect, { config: { pingTimeoutSeconds: 2 } });
    activation = await createTestActivation(t, { RegistrationLimit: 10 });
  });
  afterAll(async () => t?.close());

  const pingStatus = async (id: string) => (await describeNode(t, id))?.PingStatus;

  it('marks silent nodes ConnectionLost after the timeout while heartbeating ones stay Online', async () => {
    const steady = await registerTestNode(t, activation);
    const silent = await registerTestNode(t, activation);
    const neverConnected = await registerTestNode(t, activation);
    const steadyAgent = await connectAgent(t.url, steady.instanceId, steady.identity);
    expect(steadyAgent.answer).toMatchObject({ type: 'welcome', heartbeatSeconds: 1 });
    const silentAgent = await connectAgent(t.url, silent.instanceId, silent.identity);
    const beats = setInterval(() => steadyAgent.connection.heartbeat(), 500);
    try {
      await eventually(async () => (await pingStatus(silent.instanceId)) === 'ConnectionLost', 6000);
      expect(await pingStatus(neverConnected.instanceId)).toBe('ConnectionLost');
      // The gateway drops the silent socket too, so it does not hold memory for a dead peer.
      expect((await silentAgent.connection.closed).code).toBe(4008);
      await new Promise((r) => setTimeout(r, 2500));
      expect(await pingStatus(steady.instanceId)).toBe('Online');
    } finally {
      clearInterval(beats);
      await steadyAgent.connection.close();
    }
    expect(await nodeEvents(t, silent.instanceId)).toEqual([
      expect.objectContaining({ type: 'node.registered' }),
      { type: 'node.status', payload: { instanceId: silent.instanceId, from: 'Online', to: 'ConnectionLost' } },
    ]);
    expect((await nodeEvents(t, steady.instanceId)).map((e) => e.type)).toEqual(['node.registered']);
  });

  it('brings a node back Online when it reconnects, with its event', async () => {
    const { instanceId, identity } = await registerTestNode(t, activation);
    await eventually(async () => (await pingStatus(instanceId)) === 'ConnectionLost', 6000);
    const lostAt = (await describeNode(t, instanceId))!.LastPingDateTime!;

    const { connection, answer } = await connectAgent(t.url, instanceId, identity);
    expect(answer.type).toBe('welcome');
    const back = await eventually(async () => {
      const node = await describeNode(t, instanceId);
      return node?.PingStatus === 'Online' ? node : undefined;
    });
    expect(back.LastPingDateTime!.getTime()).toBeGreaterThan(lostAt.getTime());
    expect((await nodeEvents(t, instanceId)).slice(1)).toEqual([
      { type: 'node.status', payload: { instanceId, from: 'Online', to: 'ConnectionLost' } },
      { type: 'node.status', payload: { instanceId, from: 'ConnectionLost', to: 'Online' } },
    ]);
    await connection.close();
  });

  it('sweeps a node once even when replicas sweep at the same moment', async () => {
    const { instanceId } = await registerTestNode(t, activation);
    const nodes = t.server.services.nodes;
    const cutoff = Date.now() + 1000;
    const [a, b] = await Promise.all([nodes.markConnectionLost(cutoff, Date.now()), nodes.markConnectionLost(cutoff, Date.now())]);
    expect([...a, ...b].filter((id) => id === instanceId)).toHaveLength(1);
    expect((await nodeEvents(t, instanceId)).filter((e) => e.type === 'node.status')).toHaveLength(1);
  });

  it('never brings a deregistered node back, even from a heartbeat already queued', async () => {
    const { instanceId } = await registerTestNode(t, activation);
    await t.api.call('AmazonSSM.DeregisterManagedInstance', { InstanceId: instanceId });
    const result = await t.server.services.nodes.recordPings([[instanceId, null]], Date.now());
    expect(result).toEqual({ cameOnline: [], gone: [instanceId] });
    expect(await pingStatus(instanceId)).toBe('Inactive');
  });
});
