import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeCredentialsFile } from '@tend/server';
import { describeEachDatabase, startTestServer, type TestServer } from '../../apps/server/src/testing/test-server.js';
import { cleanEnv, runProcess } from '../../apps/cli/src/testing/run-tend.js';
import { awsCliFor, awsJson as awsJsonOf, type AwsCli } from '../../apps/cli/src/testing/aws-cli.js';

// The real AWS CLI (v1 here; its botocore reads AWS_ENDPOINT_URL_SSM too)
// against a real Tend server: the compatibility promise of DESIGN.md.
describeEachDatabase('aws CLI against Tend', (dialect) => {
  let t: TestServer;
  /** AWS CLI with keys in the environment and the endpoint on the command line. */
  let cli: AwsCli;
  let home: string;
  const aws = (...args: string[]) => cli.run(...args);
  const awsJson = (...args: string[]) => awsJsonOf(cli, ...args);
  const prefix = `/e2e/awscli/${dialect}`;

  beforeAll(async () => {
    t = await startTestServer(dialect);
    cli = awsCliFor(t);
    home = cli.home;
  });
  afterAll(async () => {
    await t?.close();
    cli?.close();
  });

  it('puts String and SecureString parameters', async () => {
    expect(await awsJson('put-parameter', '--name', `${prefix}/app/name`, '--value', 'tend', '--type', 'String')).toEqual({ Version: 1, Tier: 'Standard' });
    expect(
      await awsJson('put-parameter', '--name', `${prefix}/app/db/password`, '--value', 'pa55 word', '--type', 'SecureString', '--description', 'db'),
    ).toEqual({ Version: 1, Tier: 'Standard' });
    expect(await awsJson('put-parameter', '--name', `${prefix}/app/name`, '--value', 'tend v2', '--type', 'String', '--overwrite')).toMatchObject({ Version: 2 });
  });

  it('gets a SecureString in clear only with --with-decryption', async () => {
    const clear = await awsJson('get-parameter', '--name', `${prefix}/app/db/password`, '--with-decryption');
    expect(clear.Parameter).toMatchObject({ Name: `${prefix}/app/db/password`, Type: 'SecureString', Value: 'pa55 word', Version: 1 });
    const sealed = await awsJson('get-parameter', '--name', `${prefix}/app/db/password`);
    expect(sealed.Parameter.Value).not.toContain('pa55 word');
  });

  it('lists a hierarchy with get-parameters-by-path --recursive', async () => {
    const direct = await awsJson('get-parameters-by-path', '--path', `${prefix}/app`);
    expect(direct.Parameters.map((p: { Name: string }) => p.Name)).toEqual([`${prefix}/app/name`]);
    const all = await awsJson('get-parameters-by-path', '--path', prefix, '--recursive', '--with-decryption');
    const byName = Object.fromEntries(all.Parameters.map((p: { Name: string; Value: string }) => [p.Name, p.Value]));
    expect(byName).toEqual({ [`${prefix}/app/name`]: 'tend v2', [`${prefix}/app/db/password`]: 'pa55 word' });
  });

  it('labels a version, reads it by label and shows it in the history', async () => {
    expect(await awsJson('label-parameter-version', '--name', `${prefix}/app/name`, '--parameter-version', '1', '--labels', 'stable')).toEqual({
      InvalidLabels: [],
      ParameterVersion: 1,
    });
    const labelled = await awsJson('get-parameter', '--name', `${prefix}/app/name:stable`);
    expect(labelled.Parameter).toMatchObject({ Value: 'tend', Version: 1, Selector: ':stable' });
    const history = await awsJson('get-parameter-history', '--name', `${prefix}/app/name`);
    expect(history.Parameters.map((h: { Version: number; Labels: string[]; Value: string }) => [h.Version, h.Labels, h.Value])).toEqual([
      [1, ['stable'], 'tend'],
      [2, [], 'tend v2'],
    ]);
  });

  it('deletes a parameter, then reports ParameterNotFound like AWS (exit code 255)', async () => {
    await awsJson('delete-parameter', '--name', `${prefix}/app/db/password`);
    const gone = await aws('get-parameter', '--name', `${prefix}/app/db/password`);
    expect(gone.code).toBe(255);
    expect(gone.stdout).toBe('');
    expect(gone.stderr).toMatch(/An error occurred \(ParameterNotFound\) when calling the GetParameter operation: /);
  });

  it('finds the endpoint in AWS_ENDPOINT_URL_SSM, or everything in the credentials file used as AWS_CONFIG_FILE', async () => {
    const viaEnv = await runProcess('aws', ['ssm', 'get-parameter', '--name', `${prefix}/app/name`, '--output', 'json'], {
      env: cleanEnv({
        HOME: home,
        AWS_ACCESS_KEY_ID: t.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: t.credentials.secretAccessKey,
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_ENDPOINT_URL_SSM: t.url,
      }),
    });
    expect(viaEnv.stderr).toBe('');
    expect(JSON.parse(viaEnv.stdout).Parameter.Value).toBe('tend v2');

    // The file the server writes on first start holds keys, region and endpoint_url in a [default] section.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-aws-file-'));
    try {
      const file = writeCredentialsFile(dir, t.credentials, 'us-east-1', t.url);
      const viaFile = await runProcess('aws', ['ssm', 'get-parameter', '--name', `${prefix}/app/name`, '--output', 'json'], {
        env: cleanEnv({ HOME: home, AWS_CONFIG_FILE: file }),
      });
      expect(viaFile.stderr).toBe('');
      expect(JSON.parse(viaFile.stdout).Parameter.Value).toBe('tend v2');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('updates a service setting by its ARN, reads it back by its id, and reports an unknown one', async () => {
    const arn = 'arn:aws:ssm:us-east-1:123456789012:servicesetting/ssm/parameter-store/default-parameter-tier';
    expect(await awsJson('update-service-setting', '--setting-id', arn, '--setting-value', 'Advanced')).toEqual({});
    const { ServiceSetting } = await awsJson('get-service-setting', '--setting-id', '/ssm/parameter-store/default-parameter-tier');
    expect(ServiceSetting).toMatchObject({ SettingId: '/ssm/parameter-store/default-parameter-tier', SettingValue: 'Advanced', Status: 'Customized', ARN: arn });
    const missing = await aws('get-service-setting', '--setting-id', '/ssm/no/such-setting');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('ServiceSettingNotFound');
    expect(await awsJson('reset-service-setting', '--setting-id', arn)).toMatchObject({ ServiceSetting: { SettingValue: 'Standard', Status: 'Default' } });
  });
});
