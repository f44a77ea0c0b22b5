import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../server/src/testing/test-server.js';
import { jsonRunner, rootEnvFor, runTend } from '../testing/run-tend.js';

// `tend patch baselines …` and `tend patch groups …` as a user runs them: the real binary against a real server.
describe('tend patch baselines and groups', () => {
  let t: TestServer;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  const tend = (...args: string[]) => runTend(['patch', ...args], { env });
  const tendJson = jsonRunner(tend);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-cli-patch-'));
    t = await startTestServer('sqlite');
    env = rootEnvFor(t);
  });
  afterAll(async () => {
    await t?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists the predefined baselines and the default of every OS', async () => {
    const ls = await tend('baselines', 'ls');
    expect(ls.stderr).toBe('');
    expect(ls.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+OS\s+OWNER\s+DEFAULT$/);
    expect(ls.stdout).toMatch(/^arn:aws:ssm:us-east-1:123456789012:patchbaseline\/pb-\w{17}\s+AWS-DebianDefaultPatchBaseline\s+DEBIAN\s+AWS\s+yes$/m);

    const defaults = await tend('baselines', 'default');
    expect(defaults.stdout.split('\n')[0]).toMatch(/^OS\s+BASELINE ID\s+NAME$/);
    expect(defaults.stdout).toMatch(/^SUSE\s+arn:\S+\s+AWS-SuseDefaultPatchBaseline$/m);
    expect(defaults.stdout.trim().split('\n')).toHaveLength(9);
  }, 60_000);

  it('creates a baseline from a rules file, shows it, registers it for a group and as default, and deletes it', async () => {
    const rules = path.join(dir, 'rules.json');
    fs.writeFileSync(
      rules,
      JSON.stringify({
        OperatingSystem: 'UBUNTU',
        ApprovalRules: { PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: 'PRIORITY', Values: ['Required'] }] }, ApproveAfterDays: 5 }] },
        RejectedPatches: ['telnet'],
      }),
    );
    const created = await tendJson('baselines', 'create', 'cli-ubuntu', '--file', rules, '--description', 'from the CLI', '--tag', 'Env=prod');
    const id: string = created.BaselineId;
    expect(id).toMatch(/^pb-[0-9a-f]{17}$/);

    const show = await tend('baselines', 'show', id);
    expect(show.stdout).toMatch(/^Name:\s+cli-ubuntu$/m);
    expect(show.stdout).toMatch(/^OS:\s+UBUNTU$/m);
    expect(show.stdout).toContain('"ApproveAfterDays": 5');

    // What `show --json` prints is a valid rules file for a copy.
    const shown = path.join(dir, 'shown.json');
    fs.writeFileSync(shown, JSON.stringify(await tendJson('baselines', 'show', id)));
    const copy = (await tendJson('baselines', 'create', 'cli-ubuntu-copy', '--file', shown)).BaselineId;
    expect((await tendJson('baselines', 'show', copy)).RejectedPatches).toEqual(['telnet']);

    const registered = await tend('groups', 'register', 'web servers', id);
    expect(registered.stdout).toMatch(/^web servers\s+pb-/m);
    const groups = await tend('groups', 'ls');
    expect(groups.stdout).toMatch(new RegExp(`^web servers\\s+UBUNTU\\s+${id}\\s+cli-ubuntu$`, 'm'));
    const conflict = await tend('groups', 'register', 'web servers', copy);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(/^tend: AlreadyExistsException: /);

    await tend('baselines', 'default', id);
    expect((await tendJson('baselines', 'default', '--os', 'UBUNTU')).Defaults).toEqual([{ OperatingSystem: 'UBUNTU', BaselineId: id, BaselineName: 'cli-ubuntu' }]);
    const inUse = await tend('baselines', 'rm', id);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toMatch(/^tend: ResourceInUseException: /);

    const owned = await tendJson('baselines', 'ls', '--owner', 'Self');
    expect(owned.BaselineIdentities.map((b: { BaselineName: string; DefaultBaseline: boolean }) => [b.BaselineName, b.DefaultBaseline])).toEqual([
      ['cli-ubuntu', true],
      ['cli-ubuntu-copy', false],
    ]);

    const predefined = (await tendJson('baselines', 'ls', '--owner', 'AWS', '--os', 'UBUNTU')).BaselineIdentities[0].BaselineId;
    await tend('baselines', 'default', predefined);
    await tend('groups', 'deregister', 'web servers', id);
    expect(await tend('groups', 'ls')).toMatchObject({ code: 0, stdout: 'No patch groups.\n' });
    expect(await tend('baselines', 'rm', id)).toMatchObject({ code: 0, stdout: `DELETED\n${id}\n` });
  }, 120_000);

  it('reports bad rules the way the server says', async () => {
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ OperatingSystem: 'DEBIAN', GlobalFilters: { PatchFilters: [{ Key: 'SEVERITY', Values: ['Critical'] }] } }));
    const run = await tend('baselines', 'create', 'bad-one', '--file', bad);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^tend: ValidationException: 1 validation error detected: Filter key SEVERITY is not valid for operating system DEBIAN/);
    const missing = await tend('baselines', 'create', 'no-file', '--file', path.join(dir, 'nope.json'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^tend: .*cannot read/);
  }, 60_000);
});
