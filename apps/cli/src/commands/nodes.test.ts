import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeregisterManagedInstanceCommand } from '@aws-sdk/client-ssm';
import { startTestServer, type TestServer } from '../../../server/src/testing/test-server.js';
import { cleanEnv, runTend, startTend, type LiveTend, jsonRunner, rootEnvFor } from '../testing/run-tend.js';

// More than one page of DescribeInstanceInformation (50 per page), so paging is exercised.
const FLEET = 55;

// `tend nodes …` as a user runs it: the real binary against a real server
// holding a fleet of real connections (`tend sim`, itself a child process).
describe('tend nodes', () => {
  let t: TestServer;
  let env: NodeJS.ProcessEnv;
  let sim: LiveTend;
  let stateDir: string;
  const tend = (...args: string[]) => runTend(['nodes', ...args], { env });
  const tendJson = jsonRunner(tend);
  const rows = (stdout: string) => stdout.trimEnd().split('\n').slice(1);

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    env = rootEnvFor(t);
    const created = await runTend(['activations', 'create', '--limit', String(FLEET), '--tag', 'Env=prod', '--json'], { env });
    expect(created.stderr).toBe('');
    const { ActivationId, ActivationCode } = JSON.parse(created.stdout);
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-cli-nodes-'));
    sim = startTend(
      ['sim', '--server', t.url, '--activation-id', ActivationId, '--activation-code', ActivationCode, '--nodes', String(FLEET), '--state-dir', stateDir, '--tags', 'Team=web|db', '--platform', 'ubuntu-22.04'],
      { env: cleanEnv() },
    );
    await sim.waitFor('stdout', new RegExp(`all ${FLEET} nodes online`), 30_000);
  });
  afterAll(async () => {
    await sim?.stop('SIGTERM', 10_000);
    await t?.close();
    if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('lists every node, across pages, with status, platform, agent version and tags', async () => {
    const ls = await tend('ls');
    expect(ls.stderr).toBe('');
    expect(ls.code).toBe(0);
    const lines = ls.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+PING STATUS\s+PLATFORM\s+AGENT VERSION\s+TAGS$/);
    expect(lines).toHaveLength(FLEET + 1);
    expect(ls.stdout).toMatch(/^mi-[0-9a-f]{17}\s+sim-00001\s+Online\s+Ubuntu 22\.04\s+\d+\.\d+\.\d+\S*\s+Env=prod,Team=web$/m);
    expect(ls.stdout).toMatch(/^mi-[0-9a-f]{17}\s+sim-00002\s+Online\s+Ubuntu 22\.04\s+\S+\s+Env=prod,Team=db$/m);

    const json = await tendJson('ls');
    expect(json.InstanceInformationList).toHaveLength(FLEET);
    const first = json.InstanceInformationList.find((n: { Name: string }) => n.Name === 'sim-00001');
    expect(first).toMatchObject({ PingStatus: 'Online', PlatformName: 'Ubuntu', ResourceType: 'ManagedInstance', Tags: [{ Key: 'Env', Value: 'prod' }, { Key: 'Team', Value: 'web' }] });

    const bare = await tend('ls', '--no-tags');
    expect(bare.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+PING STATUS\s+PLATFORM\s+AGENT VERSION$/);
  });

  it('filters by tag and ping status with the API filters', async () => {
    const db = await tend('ls', '--filter', 'tag:Team=db', '--ping-status', 'Online');
    expect(db.code).toBe(0);
    expect(rows(db.stdout)).toHaveLength(Math.floor(FLEET / 2));
    expect(rows(db.stdout).every((r) => r.endsWith('Team=db'))).toBe(true);

    expect((await tendJson('ls', '--filter', 'tag:Team=web,db')).InstanceInformationList).toHaveLength(FLEET);
    expect(await tend('ls', '--ping-status', 'ConnectionLost')).toMatchObject({ code: 0, stdout: 'No managed nodes match.\n' });

    const badFilter = await tend('ls', '--filter', 'Team');
    expect(badFilter).toMatchObject({ code: 1, stdout: '' });
    expect(badFilter.stderr).toBe('tend: InvalidFilter: --filter takes KEY=value[,value…], e.g. tag:Env=prod; got "Team"\n');
    const badKey = await tend('ls', '--filter', 'Colour=blue');
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/^tend: InvalidFilterKey: /);
    const badStatus = await tend('ls', '--ping-status', 'Sleeping');
    expect(badStatus.code).toBe(1);
    expect(badStatus.stderr).toMatch(/^tend: option '--ping-status <status>' argument 'Sleeping' is invalid/);
  });

  it('shows one node with every field and its tags', async () => {
    const id = (await tendJson('ls', '--filter', 'tag:Team=web')).InstanceInformationList[0].InstanceId;
    const show = await tend('show', id);
    expect(show.stderr).toBe('');
    expect(show.stdout).toMatch(new RegExp(`^InstanceId:\\s+${id}$`, 'm'));
    for (const field of ['Name', 'PingStatus', 'LastPing', 'AgentVersion', 'PlatformType', 'PlatformName', 'PlatformVersion', 'ComputerName', 'IPAddress', 'ResourceType', 'ActivationId', 'IamRole', 'Registered']) {
      expect(show.stdout).toMatch(new RegExp(`^${field}:\\s+\\S`, 'm'));
    }
    expect(show.stdout).toMatch(/^PingStatus:\s+Online$/m);
    expect(show.stdout).toMatch(/^Tags:\n {2}Env\s+prod\n {2}Team\s+web\n$/m);

    const json = await tendJson('show', id);
    expect(json.InstanceInformation).toMatchObject({ InstanceId: id, PingStatus: 'Online' });
    expect(json.Tags).toEqual([{ Key: 'Env', Value: 'prod' }, { Key: 'Team', Value: 'web' }]);

    const missing = await tend('show', 'mi-0000000000000000f');
    expect(missing).toMatchObject({ code: 1, stdout: '', stderr: 'tend: InvalidInstanceId: no managed node mi-0000000000000000f\n' });
  });

  it('adds, changes and removes tags, printing the tags the node has now', async () => {
    const id = (await tendJson('ls', '--filter', 'tag:Team=db')).InstanceInformationList[0].InstanceId;
    const tagged = await tend('tag', id, 'Role=primary', 'Owner=data team', 'Team=storage');
    expect(tagged.stderr).toBe('');
    expect(tagged.stdout).toMatch(/^KEY\s+VALUE\nEnv\s+prod\nOwner\s+data team\nRole\s+primary\nTeam\s+storage\n$/);
    expect((await tendJson('ls', '--filter', 'tag:Role=primary')).InstanceInformationList.map((n: { InstanceId: string }) => n.InstanceId)).toEqual([id]);

    expect(await tendJson('tag', id, '--remove', 'Owner', '--remove', 'Role')).toEqual({ TagList: [{ Key: 'Env', Value: 'prod' }, { Key: 'Team', Value: 'storage' }] });

    const nothing = await tend('tag', id);
    expect(nothing).toMatchObject({ code: 1, stderr: 'tend: ValidationException: nothing to change: give key=value tags and/or --remove KEY\n' });
    const both = await tend('tag', id, 'Env=dev', '--remove', 'Env');
    expect(both.stderr).toBe('tend: ValidationException: tag Env is both set and removed\n');
    const malformed = await tend('tag', id, 'Env');
    expect(malformed.stderr).toBe('tend: InvalidTag: a tag takes key=value, got "Env"\n');
    const unknown = await tend('tag', 'mi-0000000000000000f', 'Env=dev');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^tend: InvalidResourceId: /);
  });

  it('shows a deregistered node as Inactive, without tags', async () => {
    const id = (await tendJson('ls', '--filter', 'tag:Team=web')).InstanceInformationList.at(-1).InstanceId;
    await t.ssm.send(new DeregisterManagedInstanceCommand({ InstanceId: id }));
    const inactive = await tend('ls', '--ping-status', 'Inactive');
    expect(rows(inactive.stdout)).toHaveLength(1);
    expect(rows(inactive.stdout)[0]).toMatch(new RegExp(`^${id}\\s+sim-\\d+\\s+Inactive\\s+Ubuntu 22\\.04\\s+\\S+$`));
    const show = await tendJson('show', id);
    expect(show.InstanceInformation.PingStatus).toBe('Inactive');
    expect(show.Tags).toBeUndefined();
  });
});
