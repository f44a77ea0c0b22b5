import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { writeCredentialsFile } from '@tend/server';
import { startTestServer, type TestServer } from '../../../server/src/testing/test-server.js';
import { cleanEnv, runTend, jsonRunner, rootEnvFor } from '../testing/run-tend.js';

// `tend params …` as a user runs it: the real binary in a child process against a real server.
describe('tend params', () => {
  let t: TestServer;
  let env: NodeJS.ProcessEnv;
  const tend = (...args: string[]) => runTend(['params', ...args], { env });
  const tendJson = jsonRunner(tend);

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    env = rootEnvFor(t);
  });
  afterAll(async () => t?.close());

  it('puts parameters and prints the new version as a table or JSON', async () => {
    const put = await tend('put', '/cli/app/url', 'https://example.test', '--description', 'service URL', '--tag', 'team=core');
    expect(put.code).toBe(0);
    expect(put.stdout).toMatch(/^NAME\s+VERSION\s+TIER\n\/cli\/app\/url\s+1\s+Standard\n$/);

    expect(await tendJson('put', '/cli/app/db/password', 's3cret value', '--type', 'SecureString')).toEqual({ Version: 1, Tier: 'Standard' });
    expect(await tendJson('put', '/cli/app/hosts', 'a,b,c', '--type', 'StringList')).toMatchObject({ Version: 1 });
    expect(await tendJson('put', '/cli/app/url', 'https://v2.example.test', '--overwrite')).toMatchObject({ Version: 2 });

    const policies = JSON.stringify([{ Type: 'NoChangeNotification', Version: '1.0', Attributes: { After: '30', Unit: 'Days' } }]);
    expect(await tendJson('put', '/cli/policies/token', 't0ken', '--tier', 'Intelligent-Tiering', '--policies', policies)).toEqual({ Version: 1, Tier: 'Advanced' });
  });

  it('gets a parameter, a selected version, and hides SecureString values unless --decrypt', async () => {
    const get = await tend('get', '/cli/app/url');
    expect(get.code).toBe(0);
    expect(get.stdout).toMatch(/^Name:\s+\/cli\/app\/url$/m);
    expect(get.stdout).toMatch(/^Version:\s+2$/m);
    expect(get.stdout).toMatch(/^Value:\s+https:\/\/v2\.example\.test$/m);

    expect((await tendJson('get', '/cli/app/url:1')).Parameter).toMatchObject({ Name: '/cli/app/url', Value: 'https://example.test', Version: 1 });

    const hidden = await tend('get', '/cli/app/db/password');
    expect(hidden.stdout).toMatch(/^Value:\s+\(encrypted\)$/m);
    expect(hidden.stdout).not.toContain('s3cret');
    expect((await tendJson('get', '/cli/app/db/password')).Parameter.Value).toBe('(encrypted)');
    expect((await tendJson('get', '/cli/app/db/password', '--decrypt')).Parameter).toMatchObject({ Type: 'SecureString', Value: 's3cret value' });
  });

  it('lists a path (recursively, with paging) and every parameter without a path', async () => {
    // More than one page of GetParametersByPath (at most 10 per page); put through the SDK to keep the test quick.
    for (let i = 0; i < 12; i++) {
      await t.ssm.send(new PutParameterCommand({ Name: `/cli/many/p${String(i).padStart(2, '0')}`, Value: `v${i}`, Type: 'String' }));
    }
    const many = await tendJson('ls', '/cli/many');
    expect(many.Parameters).toHaveLength(12);

    const direct = await tend('ls', '/cli/app');
    expect(direct.code).toBe(0);
    expect(direct.stdout.split('\n')[0]).toMatch(/^NAME\s+TYPE\s+VERSION\s+MODIFIED\s+VALUE$/);
    expect(direct.stdout).toMatch(/^\/cli\/app\/hosts\s+StringList\s+1\s+\S+\s+a,b,c$/m);
    expect(direct.stdout).not.toContain('/cli/app/db/password');

    const deep = await tend('ls', '/cli/app', '--recursive');
    expect(deep.stdout).toMatch(/^\/cli\/app\/db\/password\s+SecureString\s+1\s+\S+\s+\(encrypted\)$/m);
    const deepJson = await tendJson('ls', '/cli/app', '--recursive', '--decrypt');
    expect(deepJson.Parameters.map((p: { Name: string }) => p.Name).sort()).toEqual(['/cli/app/db/password', '/cli/app/hosts', '/cli/app/url']);
    expect(deepJson.Parameters.find((p: { Name: string }) => p.Name === '/cli/app/db/password').Value).toBe('s3cret value');

    const all = await tend('ls');
    expect(all.stdout.split('\n')[0]).toMatch(/^NAME\s+TYPE\s+VERSION\s+TIER\s+MODIFIED\s+DESCRIPTION$/);
    expect(all.stdout).toMatch(/^\/cli\/app\/url\s+String\s+2\s+Standard\s+\S+\s+service URL$/m);
    expect((await tendJson('ls')).Parameters.length).toBeGreaterThanOrEqual(15);

    const empty = await tend('ls', '/cli/nothing/here');
    expect(empty).toMatchObject({ code: 0, stdout: 'No parameters under /cli/nothing/here (use --recursive for deeper levels).\n' });
  });

  it('shows the history of a parameter', async () => {
    const history = await tend('history', '/cli/app/url');
    expect(history.code).toBe(0);
    const lines = history.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^VERSION\s+TYPE\s+LABELS\s+MODIFIED\s+BY\s+VALUE$/);
    expect(lines.slice(1).map((l) => l.trim().split(/\s+/)[0])).toEqual(['1', '2']);
    const json = await tendJson('history', '/cli/app/db/password');
    expect(json.Parameters).toHaveLength(1);
    expect(json.Parameters[0].Value).toBe('(encrypted)');
  });

  it('deletes parameters and fails, after deleting the others, on names that do not exist', async () => {
    expect(await tendJson('rm', '/cli/many/p00', '/cli/many/p01')).toEqual({ DeletedParameters: ['/cli/many/p00', '/cli/many/p01'], InvalidParameters: [] });
    const partly = await tend('rm', '/cli/many/p02', '/cli/many/none');
    expect(partly.code).toBe(1);
    expect(partly.stdout).toBe('DELETED\n/cli/many/p02\n');
    expect(partly.stderr).toBe('tend: ParameterNotFound: not found: /cli/many/none\n');
  });

  it('reports API errors as `tend: <ErrorName>: <message>` with exit code 1 and no stack trace', async () => {
    const missing = await tend('get', '/cli/does/not/exist');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/^tend: ParameterNotFound: .+\n$/);

    const exists = await tend('put', '/cli/app/url', 'again');
    expect(exists.code).toBe(1);
    expect(exists.stderr).toMatch(/^tend: ParameterAlreadyExists: .+\n$/);

    const wrongKey = await runTend(['params', 'ls'], { env: { ...env, AWS_SECRET_ACCESS_KEY: 'not-the-secret-at-all' } });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toMatch(/^tend: InvalidSignatureException: /);
    expect(wrongKey.stderr).not.toContain('not-the-secret-at-all');
  });

  it('works with an IAM user\'s key, within what its policy allows', async () => {
    await t.api.tend('CreateUser', { UserName: 'cli-reader' });
    const { AccessKey: key } = await t.api.tend('CreateAccessKey', { UserName: 'cli-reader' });
    const asReader = { ...env, AWS_ACCESS_KEY_ID: key.AccessKeyId, AWS_SECRET_ACCESS_KEY: key.SecretAccessKey };
    const denied = await runTend(['params', 'get', '/cli/app/hosts'], { env: asReader });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^tend: AccessDeniedException: .*ssm:GetParameter.*\n$/);

    await t.api.tend('PutUserPolicy', {
      UserName: 'cli-reader',
      PolicyName: 'read-app',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameter*', Resource: 'arn:aws:ssm:*:*:parameter/cli/app/*' }],
      }),
    });
    const allowed = await runTend(['params', 'get', '/cli/app/hosts', '--json'], { env: asReader });
    expect(allowed.stderr).toBe('');
    expect(JSON.parse(allowed.stdout).Parameter.Value).toBe('a,b,c');
    const write = await runTend(['params', 'put', '/cli/app/hosts', 'x', '--overwrite'], { env: asReader });
    expect(write.stderr).toMatch(/^tend: AccessDeniedException: /);
  });

  it('reads endpoint, region and credentials from the credentials file tend up writes', async () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-cli-project-'));
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-cli-elsewhere-'));
    try {
      const dataDir = path.join(project, '.tend');
      fs.mkdirSync(dataDir);
      writeCredentialsFile(dataDir, t.credentials, 'us-east-1', t.url);
      // In the directory where `tend up` runs, nothing needs to be set.
      const here = await runTend(['params', 'get', '/cli/app/hosts'], { env: cleanEnv(), cwd: project });
      expect(here.stderr).toBe('');
      expect(here.stdout).toMatch(/^Value:\s+a,b,c$/m);
      // Elsewhere, TEND_DATA_DIR points at it.
      const there = await runTend(['params', 'get', '/cli/app/hosts', '--json'], { env: cleanEnv({ TEND_DATA_DIR: dataDir }), cwd: elsewhere });
      expect(JSON.parse(there.stdout).Parameter.Value).toBe('a,b,c');
      // And without either, the error says what was looked for.
      const none = await runTend(['params', 'ls'], { env: cleanEnv(), cwd: elsewhere });
      expect(none.code).toBe(1);
      expect(none.stderr).toContain(`tend: NoCredentials: no credentials found (${path.join(elsewhere, '.tend', 'credentials')} does not exist)`);
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('says when no server answers at the endpoint', async () => {
    const run = await runTend(['params', 'ls'], { env: { ...env, AWS_ENDPOINT_URL_SSM: 'http://127.0.0.1:1' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^tend: EndpointConnectionError: cannot reach the Tend server at http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED/);
  });
});
