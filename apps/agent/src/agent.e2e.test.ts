import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AddTagsToResourceCommand,
  DeregisterManagedInstanceCommand,
  DescribeActivationsCommand,
  DescribeInstanceInformationCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-ssm';
import { startTestServer, type TestServer } from '../../server/src/testing/test-server.js';
import { createTestActivation, describeNode } from '../../server/src/domains/nodes/node-test-support.js';
import { AGENT_VERSION } from './node-info.js';
import { readState } from './state.js';
import { eventually } from './testing/eventually.js';
import { agentArgs, e2eScope, exitCode, ONLINE } from './testing/e2e.js';

/**
 * The agent as users run it (`tend agent`, a real process) against a real
 * server: registration and its refusals, status, deregistration, silence,
 * server restarts and tags.
 */
const scope = e2eScope();
afterEach(() => scope.cleanup());

const EXIT_REFUSED = 77;

async function pingStatus(t: TestServer, instanceId: string): Promise<string | undefined> {
  return (await describeNode(t, instanceId))?.PingStatus;
}

async function registrationsCount(t: TestServer, activationId: string): Promise<number | undefined> {
  const out = await t.ssm.send(new DescribeActivationsCommand({ Filters: [{ FilterKey: 'ActivationIds', FilterValues: [activationId] }] }));
  return out.ActivationList?.[0]?.RegistrationsCount;
}

/** Output of a process must never show the activation code or a private key. */
function expectNoSecrets(output: string, code: string): void {
  expect(output).not.toContain(code);
  expect(output).not.toContain('PRIVATE KEY');
}

describe('tend agent against a real server', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer('sqlite');
  });
  afterAll(() => t.close());

  it('registers once, shows up Online with what it reports, and reconnects later without registering', async () => {
    const activation = await createTestActivation(t, { DefaultInstanceName: 'web-default' });
    const stateDir = path.join(scope.tempDir('tend-e2e-'), 'state');
    const root = scope.debianRoot();
    const agent = scope.tend(agentArgs(t.url, activation, stateDir, ['--name', 'web-1', '--system-root', root]));
    await agent.waitFor('stderr', ONLINE);
    const state = (await readState(stateDir))!;
    expect(state.instanceId).toMatch(/^mi-[0-9a-f]{17}$/);
    expect(fs.statSync(stateDir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(stateDir, 'state.json')).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(stateDir, 'state.json'), 'utf8')).not.toContain(activation.activationCode);

    await eventually('Online', async () => (await pingStatus(t, state.instanceId!)) === 'Online');
    const node = (await describeNode(t, state.instanceId!))!;
    expect(node).toMatchObject({
      InstanceId: state.instanceId,
      PingStatus: 'Online',
      ResourceType: 'ManagedInstance',
      ActivationId: activation.activationId,
      Name: 'web-1',
      PlatformType: 'Linux',
      PlatformName: 'Debian GNU/Linux',
      PlatformVersion: '12',
      AgentVersion: AGENT_VERSION,
      ComputerName: expect.any(String),
    });
    expect(node.LastPingDateTime).toBeInstanceOf(Date);
    expect(node.RegistrationDate).toBeInstanceOf(Date);

    expect(await agent.stop('SIGTERM')).toMatchObject({ code: 0 });
    expectNoSecrets(agent.stderr + agent.stdout, activation.activationCode);

    // Same state dir: the saved identity, no second registration even with the activation flags given again.
    const again = scope.tend(agentArgs(t.url, activation, stateDir, ['--system-root', root]));
    await again.waitFor('stderr', ONLINE);
    expect(again.stderr).toContain('using saved registration');
    expect(again.stderr).toContain(state.instanceId);
    expect(await registrationsCount(t, activation.activationId)).toBe(1);
    expect((await readState(stateDir))!.instanceId).toBe(state.instanceId);
  });

  it('a second machine on a single-use activation is refused and exits with a clear message', async () => {
    const activation = await createTestActivation(t, { RegistrationLimit: 1 });
    const first = scope.tend(agentArgs(t.url, activation, scope.tempDir('tend-e2e-')));
    await first.waitFor('stderr', ONLINE);
    const secondDir = scope.tempDir('tend-e2e-');
    const second = scope.tend(agentArgs(t.url, activation, secondDir));
    expect(await exitCode(second)).toBe(EXIT_REFUSED);
    expect(second.stderr).toMatch(/tend: RegistrationRefused: activation \S+ has reached its registration limit/);
    expectNoSecrets(second.stderr, activation.activationCode);
    expect((await readState(secondDir))?.instanceId).toBeUndefined();
    expect(await registrationsCount(t, activation.activationId)).toBe(1);
  });

  it('an expired activation is refused', async () => {
    const activation = await createTestActivation(t, { ExpirationDate: new Date(Date.now() + 1500) });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const agent = scope.tend(agentArgs(t.url, activation, scope.tempDir('tend-e2e-')));
    expect({ code: await exitCode(agent), stderr: agent.stderr }).toMatchObject({ code: EXIT_REFUSED, stderr: expect.stringMatching(/tend: RegistrationRefused: activation \S+ has expired/) });
  });

  it('a wrong activation code is refused, and no node is created', async () => {
    const activation = await createTestActivation(t);
    const agent = scope.tend(agentArgs(t.url, { ...activation, activationCode: 'wrong-code-0000000000' }, scope.tempDir('tend-e2e-')));
    expect(await exitCode(agent)).toBe(EXIT_REFUSED);
    expect(agent.stderr).toMatch(/tend: RegistrationRefused: activation \S+ was refused.*Check the activation id and code/);
    expect(await registrationsCount(t, activation.activationId)).toBe(0);
  });

  it('a first start without an activation names what is missing', async () => {
    const agent = scope.tend(['agent', '--server', t.url, '--state-dir', scope.tempDir('tend-e2e-')]);
    expect(await exitCode(agent)).toBe(1);
    expect(agent.stderr).toMatch(/holds no registered node yet: --activation-id, --activation-code are needed/);
  });

  it('a deregistered node is disconnected, stops, and is refused again on restart', async () => {
    const activation = await createTestActivation(t);
    const stateDir = scope.tempDir('tend-e2e-');
    const agent = scope.tend(agentArgs(t.url, activation, stateDir));
    await agent.waitFor('stderr', ONLINE);
    const { instanceId } = (await readState(stateDir))!;
    await t.ssm.send(new DeregisterManagedInstanceCommand({ InstanceId: instanceId }));
    expect(await exitCode(agent)).toBe(EXIT_REFUSED);
    expect(agent.stderr).toMatch(new RegExp(`tend: AgentRejected: the server refused node ${instanceId} \\(Deregistered\\).*deregistered`));
    expect(agent.stderr).toMatch(/register this machine again/);
    await eventually('Inactive', async () => (await pingStatus(t, instanceId!)) === 'Inactive');

    const restarted = scope.tend(agentArgs(t.url, activation, stateDir));
    expect(await exitCode(restarted)).toBe(EXIT_REFUSED);
    expect(restarted.stderr).toMatch(/Deregistered/);
    // It tried its old key and stopped: no new registration behind the operator's back.
    expect(await registrationsCount(t, activation.activationId)).toBe(1);
  });

  it("applies the activation's tags to the node, so tag filters find it", async () => {
    const activation = await createTestActivation(t, { Tags: [{ Key: 'Env', Value: 'prod' }, { Key: 'Team', Value: 'payments' }] });
    const stateDir = scope.tempDir('tend-e2e-');
    const agent = scope.tend(agentArgs(t.url, activation, stateDir));
    await agent.waitFor('stderr', ONLINE);
    const { instanceId } = (await readState(stateDir))!;
    const ids = async (filters: Array<{ Key: string; Values: string[] }>) =>
      ((await t.ssm.send(new DescribeInstanceInformationCommand({ Filters: filters, MaxResults: 50 }))).InstanceInformationList ?? []).map((n) => n.InstanceId);

    expect(await ids([{ Key: 'tag:Env', Values: ['prod'] }])).toEqual([instanceId]);
    expect(await ids([{ Key: 'tag:Env', Values: ['dev'] }])).toEqual([]);
    expect(await ids([{ Key: 'tag-key', Values: ['Team'] }])).toEqual([instanceId]);
    const tags = await t.ssm.send(new ListTagsForResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: instanceId }));
    expect(tags.TagList).toEqual(expect.arrayContaining([{ Key: 'Env', Value: 'prod' }, { Key: 'Team', Value: 'payments' }]));

    await t.ssm.send(new AddTagsToResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: instanceId, Tags: [{ Key: 'Env', Value: 'dev' }] }));
    expect(await ids([{ Key: 'tag:Env', Values: ['dev'] }, { Key: 'PingStatus', Values: ['Online'] }])).toEqual([instanceId]);
  });
});

describe('tend agent when the connection fails', () => {
  it('is ConnectionLost while stopped (SIGSTOP) and Online again after SIGCONT', async () => {
    const t = await startTestServer('sqlite', { config: { pingTimeoutSeconds: 2 } });
    try {
      const activation = await createTestActivation(t);
      const stateDir = scope.tempDir('tend-e2e-');
      const agent = scope.tend(agentArgs(t.url, activation, stateDir));
      await agent.waitFor('stderr', ONLINE);
      const { instanceId } = (await readState(stateDir))!;
      await eventually('Online', async () => (await pingStatus(t, instanceId!)) === 'Online');

      agent.child.kill('SIGSTOP');
      await eventually('ConnectionLost', async () => (await pingStatus(t, instanceId!)) === 'ConnectionLost', 15_000);
      agent.child.kill('SIGCONT');
      await eventually('Online again', async () => (await pingStatus(t, instanceId!)) === 'Online', 15_000);
    } finally {
      await scope.cleanup();
      await t.close();
    }
  });

  it('reconnects by itself after the server restarts', async () => {
    const dataDir = scope.tempDir('tend-e2e-data-');
    const first = await startTestServer('sqlite', { dataDir });
    const port = Number(new URL(first.url).port);
    let second: TestServer | undefined;
    try {
      const activation = await createTestActivation(first);
      const stateDir = scope.tempDir('tend-e2e-');
      const agent = scope.tend(agentArgs(first.url, activation, stateDir));
      await agent.waitFor('stderr', ONLINE);
      const { instanceId } = (await readState(stateDir))!;
      await first.close();
      await agent.waitFor('stderr', /"msg":"disconnected, reconnecting"/);

      second = await startTestServer('sqlite', { dataDir, config: { port } });
      const restartedAt = Date.now();
      // The database still says Online from before the restart; the agent's own log and a fresh ping prove it came back.
      await agent.waitFor('stderr', /"msg":"online"[\s\S]*"msg":"online"/, 20_000);
      await eventually('a ping after the restart', async () => {
        const node = await describeNode(second!, instanceId!);
        return node?.PingStatus === 'Online' && node.LastPingDateTime!.getTime() >= restartedAt - 1000;
      });
      expect(agent.child.exitCode).toBeNull();
    } finally {
      await second?.close();
      await scope.cleanup();
    }
  });
});
