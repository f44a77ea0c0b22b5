import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../../apps/server/src/testing/test-server.js';
import { cleanEnv, runProcess } from '../../apps/cli/src/testing/run-tend.js';

const SCRIPT = fileURLToPath(new URL('./boto3_flow.py', import.meta.url));

// boto3, configured only through the standard environment variables, against a real Tend server.
describeEachDatabase('boto3 against Tend', (dialect) => {
  let t: TestServer;
  let home: string;
  beforeAll(async () => {
    t = await startTestServer(dialect);
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-boto3-home-'));
  });
  afterAll(async () => {
    await t?.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('runs the Parameter Store flow: put, decrypt, by path, label, history, delete, errors', async () => {
    const prefix = `/e2e/boto3/${dialect}`;
    const run = await runProcess('python3', [SCRIPT, prefix], {
      env: cleanEnv({
        HOME: home,
        AWS_ACCESS_KEY_ID: t.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: t.credentials.secretAccessKey,
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_ENDPOINT_URL_SSM: t.url,
      }),
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      put_string: 1,
      put_secure: 1,
      put_overwrite: 2,
      get_decrypted: 't0ken!',
      get_sealed_differs: true,
      by_path: [`${prefix}/svc/name`, `${prefix}/svc/token`],
      label_invalid: [],
      get_by_label: 'tend',
      history: [
        [1, ['blue'], 'tend'],
        [2, [], 'tend v2'],
      ],
      get_parameters: { found: [`${prefix}/svc/name`], invalid: [`${prefix}/svc/missing`] },
      after_delete: { code: 'ParameterNotFound', status: 400, request_id: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      duplicate: 'ParameterAlreadyExists',
    });
  });
});
