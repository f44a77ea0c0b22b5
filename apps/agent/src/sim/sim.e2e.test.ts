import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DescribeActivationsCommand,
  ListCommandInvocationsCommand,
  ListCommandsCommand,
  SendCommandCommand,
  paginateDescribeInstanceInformation,
  type InstanceInformation,
} from '@aws-sdk/client-ssm';
import { startTestServer, type TestServer } from '../../../server/src/testing/test-server.js';
import { createTestActivation } from '../../../server/src/domains/nodes/node-test-support.js';
import { e2eScope, exitCode } from '../testing/e2e.js';
import { eventually } from '../testing/eventually.js';
import { SIM_OUTPUT_PREFIX, SimInvocations } from './sim-invocations.js';

const scope = e2eScope();
afterEach(() => scope.cleanup());

async function allNodes(t: TestServer, filters: Array<{ Key: string; Values: string[] }> = []): Promise<InstanceInformation[]> {
  const nodes: InstanceInformation[] = [];
  for await (const page of paginateDescribeInstanceInformation({ client: t.ssm }, { Filters: filters, MaxResults: 50 })) {
    nodes.push(...(page.InstanceInformationList ?? []));
  }
  return nodes;
}

describe('tend sim against a real server', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer('sqlite');
  });
  afterAll(() => t.close());

  it('brings 50 simulated nodes Online, each with its identity, platform and tags, and reuses them after a restart', async () => {
    const a = await createTestActivation(t, { RegistrationLimit: 25, Tags: [{ Key: 'Fleet', Value: 'demo' }] });
    const b = await createTestActivation(t, { RegistrationLimit: 25, Tags: [{ Key: 'Fleet', Value: 'demo' }] });
    const stateDir = scope.tempDir('tend-sim-e2e-');
    const args = [
      'sim', '--server', t.url, '--nodes', '50', '--state-dir', stateDir,
      '--activation-id', a.activationId, '--activation-code', a.activationCode,
      '--activation-id', b.activationId, '--activation-code', b.activationCode,
      '--tags', 'Env=sim', 'Role=web|db',
    ];
    const sim = scope.tend(args);
    await sim.waitFor('stdout', /all 50 nodes online/, 60_000);

    const online = await allNodes(t, [{ Key: 'PingStatus', Values: ['Online'] }]);
    expect(online).toHaveLength(50);
    expect(new Set(online.map((n) => n.ComputerName)).size).toBe(50);
    expect(new Set(online.map((n) => n.IPAddress)).size).toBe(50);
    // A realistic mix, not one platform.
    expect(new Set(online.map((n) => `${n.PlatformName} ${n.PlatformVersion}`)).size).toBeGreaterThanOrEqual(4);
    expect(online.every((n) => n.PlatformType === 'Linux' && n.ResourceType === 'ManagedInstance')).toBe(true);
    // Per-node tags from the registration, the activation's tags as well.
    expect(await allNodes(t, [{ Key: 'tag:Role', Values: ['web'] }])).toHaveLength(25);
    expect(await allNodes(t, [{ Key: 'tag:Env', Values: ['sim'] }, { Key: 'tag:Fleet', Values: ['demo'] }])).toHaveLength(50);
    expect(sim.stdout + sim.stderr).not.toContain(a.activationCode);

    expect((await sim.stop('SIGTERM', 10_000)).code).toBe(0);

    const restarted = scope.tend(args);
    await restarted.waitFor('stdout', /all 50 nodes online/, 60_000);
    const counts = await t.ssm.send(new DescribeActivationsCommand({}));
    const used = (counts.ActivationList ?? []).filter((x) => [a.activationId, b.activationId].includes(x.ActivationId!));
    expect(used.map((x) => x.RegistrationsCount)).toEqual([25, 25]);
    expect(await allNodes(t)).toHaveLength(50);
  });

  it('runs a command on simulated nodes through the API; the --fail-rate share of them fails', async () => {
    const a = await createTestActivation(t, { RegistrationLimit: 12 });
    const sim = scope.tend([
      'sim', '--server', t.url, '--nodes', '12', '--state-dir', scope.tempDir('tend-sim-e2e-'), '--name-prefix', 'rc',
      '--activation-id', a.activationId, '--activation-code', a.activationCode, '--tags', 'Fleet=run-command', '--fail-rate', '0.4', '--step-delay', '0',
    ]);
    await sim.waitFor('stdout', /all 12 nodes online/, 60_000);
    const target = [{ Key: 'tag:Fleet', Values: ['run-command'] }];
    await eventually('12 Online through the API', async () => (await allNodes(t, [{ Key: 'PingStatus', Values: ['Online'] }, { Key: 'tag:Fleet', Values: ['run-command'] }])).length === 12);

    const { Command } = await t.ssm.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', Targets: target, Parameters: { commands: ['uptime'] }, MaxErrors: '100%' }));
    const commandId = Command!.CommandId!;
    await eventually('the command to end', async () => {
      const [command] = (await t.ssm.send(new ListCommandsCommand({ CommandId: commandId }))).Commands ?? [];
      return ['Success', 'Failed'].includes(command?.Status ?? '');
    }, 30_000);
    const invocations = (await t.ssm.send(new ListCommandInvocationsCommand({ CommandId: commandId, Details: true }))).CommandInvocations ?? [];
    expect(invocations).toHaveLength(12);
    const judge = new SimInvocations({ failRate: 0.4, signal: new AbortController().signal });
    for (const invocation of invocations) {
      const failing = judge.fails(invocation.InstanceId!);
      expect(invocation).toMatchObject(failing ? { Status: 'Failed', CommandPlugins: [{ ResponseCode: 1 }] } : { Status: 'Success', CommandPlugins: [{ ResponseCode: 0 }] });
      expect(invocation.CommandPlugins![0]!.Output).toContain(`${SIM_OUTPUT_PREFIX} would run: uptime`);
    }
    const failed = invocations.filter((i) => i.Status === 'Failed').length;
    const [command] = (await t.ssm.send(new ListCommandsCommand({ CommandId: commandId }))).Commands ?? [];
    // The command's own Status depends on MaxErrors, the server's business; the counts are the nodes'.
    expect(command).toMatchObject({ CompletedCount: 12, ErrorCount: failed, TargetCount: 12 });
  });

  it('exits 77 with the reason when the server refuses every node', async () => {
    const a = await createTestActivation(t);
    const sim = scope.tend(['sim', '--server', t.url, '--nodes', '3', '--state-dir', scope.tempDir('tend-sim-e2e-'), '--activation-id', a.activationId, '--activation-code', 'not-the-code-000000']);
    expect(await exitCode(sim, 30_000)).toBe(77);
    expect(sim.stderr).toMatch(/tend: activation \S+ was refused/);
  });
});
