import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeActivationsCommand } from '@aws-sdk/client-ssm';
import { startTestServer, type TestServer } from '../../../server/src/testing/test-server.js';
import { runTend, jsonRunner, rootEnvFor } from '../testing/run-tend.js';

// `tend activations …` as a user runs it: the real binary against a real server.
describe('tend activations', () => {
  let t: TestServer;
  let env: NodeJS.ProcessEnv;
  const tend = (...args: string[]) => runTend(['activations', ...args], { env });
  const tendJson = jsonRunner(tend);
  const describeActivation = async (id: string) =>
    (await t.ssm.send(new DescribeActivationsCommand({ Filters: [{ FilterKey: 'ActivationIds', FilterValues: [id] }] }))).ActivationList?.[0];

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    env = rootEnvFor(t);
  });
  afterAll(async () => t?.close());

  it('creates an activation and prints its id, its code once and the one-line install command', async () => {
    const started = Date.now();
    const run = await tend('create', '--description', 'web tier', '--default-instance-name', 'web', '--limit', '25', '--expires-in', '2h', '--tag', 'Env=prod', '--tag', 'Team=web');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const id = /^ActivationId:\s+([0-9a-f-]{36})$/m.exec(run.stdout)?.[1];
    const code = /^ActivationCode:\s+(\S+)$/m.exec(run.stdout)?.[1];
    expect(id).toBeDefined();
    expect(code).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(run.stdout).toMatch(/^Registrations:\s+up to 25 machines$/m);
    expect(run.stdout).toMatch(/^Expires:\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/m);
    expect(run.stdout).toContain('The activation code is shown only now');
    expect(run.stdout).toContain(`\n  curl -fsSL ${t.url}/install.sh | sudo bash -s -- --activation-id ${id} --activation-code ${code}\n`);
    // The test server listens on 127.0.0.1, which no other host can reach: the output says so.
    expect(run.stdout).toContain(`${t.url} only reaches this machine; for other hosts give --public-url`);

    const stored = await describeActivation(id!);
    expect(stored).toMatchObject({ Description: 'web tier', DefaultInstanceName: 'web', IamRole: 'SSMServiceRole', RegistrationLimit: 25, RegistrationsCount: 0, Expired: false });
    expect(stored!.Tags).toEqual([{ Key: 'Env', Value: 'prod' }, { Key: 'Team', Value: 'web' }]);
    const lifetime = stored!.ExpirationDate!.getTime() - started;
    expect(lifetime).toBeGreaterThan(2 * 3600_000 - 60_000);
    expect(lifetime).toBeLessThan(2 * 3600_000 + 60_000);
  });

  it('prints JSON with the install command, for the URL the hosts use', async () => {
    const json = await tendJson('create', '--public-url', 'https://tend.example.com/');
    expect(Object.keys(json)).toEqual(['ActivationId', 'ActivationCode', 'InstallCommand']);
    expect(json.InstallCommand).toBe(
      `curl -fsSL https://tend.example.com/install.sh | sudo bash -s -- --activation-id ${json.ActivationId} --activation-code ${json.ActivationCode}`,
    );
    // The server's defaults: one registration, 24 hours.
    const stored = await describeActivation(json.ActivationId);
    expect(stored).toMatchObject({ RegistrationLimit: 1, IamRole: 'SSMServiceRole' });
    expect(stored!.ExpirationDate!.getTime() - Date.now()).toBeGreaterThan(23 * 3600_000);
  });

  it('lists activations with their use, expiry and tags, never their codes', async () => {
    const { ActivationId: id, ActivationCode: code } = await tendJson('create', '--limit', '3', '--description', 'listed', '--tag', 'Env=dev');
    const ls = await tend('ls');
    expect(ls.stderr).toBe('');
    expect(ls.stdout.split('\n')[0]).toMatch(/^ID\s+REGISTRATIONS\s+EXPIRES\s+DEFAULT NAME\s+DESCRIPTION\s+TAGS$/);
    expect(ls.stdout).toMatch(new RegExp(`^${id}\\s+0/3\\s+\\S+Z\\s+listed\\s+Env=dev$`, 'm'));
    expect(ls.stdout).not.toContain(code);
    const json = await tendJson('ls');
    expect(json.ActivationList.length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(json)).not.toContain(code);
    expect(json.ActivationList.find((a: { ActivationId: string }) => a.ActivationId === id)).toMatchObject({ RegistrationLimit: 3, RegistrationsCount: 0, Expired: false });
  });

  it('deletes activations, and reports one that does not exist', async () => {
    const a = (await tendJson('create')).ActivationId;
    const b = (await tendJson('create')).ActivationId;
    const rm = await tend('rm', a);
    expect(rm).toMatchObject({ code: 0, stderr: '', stdout: `DELETED\n${a}\n` });
    expect((await tend('ls')).stdout).not.toContain(a);

    const again = await tend('rm', b, a);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe(`DELETED\n${b}\n`);
    expect(again.stderr).toMatch(new RegExp(`^tend: InvalidActivation: .*${a}`));
  });

  it('checks its options before calling the server', async () => {
    const expires = await tend('create', '--expires-in', 'tomorrow');
    expect(expires).toMatchObject({ code: 1, stdout: '', stderr: 'tend: ValidationException: --expires-in takes a duration like 30m, 24h or 7d; got "tomorrow"\n' });
    expect((await tend('create', '--limit', '0')).stderr).toBe('tend: ValidationException: --limit takes a positive whole number; got "0"\n');
    expect((await tend('create', '--tag', 'novalue')).stderr).toBe('tend: InvalidTag: --tag takes key=value, got "novalue"\n');
    // Bounds the server owns are reported by the server.
    expect((await tend('create', '--limit', '1001')).stderr).toMatch(/^tend: ValidationException: /);
    expect((await tend('create', '--expires-in', '31d')).stderr).toMatch(/^tend: ValidationException: .*30 days/);
  });
});
