import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCredentialsFile } from '../../apps/cli/src/config/client-config.js';
import { cleanEnv, runTend, startTend } from '../../apps/cli/src/testing/run-tend.js';

const CREDENTIALS_BLOCK = /AWS_ACCESS_KEY_ID=(\S+)\n\s+AWS_SECRET_ACCESS_KEY=(\S+)/;

/** The URL from the server's "listening" log line (it is started on port 0). */
function listeningUrl(stdout: string): string {
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { msg?: string; url?: string };
    if (entry.msg === 'tend server listening' && entry.url) return entry.url;
  }
  throw new Error(`no listening line in:\n${stdout}`);
}

// `tend server` exactly as an operator starts it: a child process, a fresh data dir, no TEND_ROOT_*.
describe('tend server process', () => {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-server-process-'));
  const dataDir = path.join(parent, 'data');
  const start = () => startTend(['server', '--port', '0', '--data-dir', dataDir], { env: cleanEnv() });
  afterAll(() => fs.rmSync(parent, { recursive: true, force: true }));

  it('generates root credentials on first start, prints them once and saves them with mode 0600', async () => {
    const server = start();
    try {
      const stderr = await server.waitFor('stderr', CREDENTIALS_BLOCK);
      const [, accessKeyId, secretAccessKey] = CREDENTIALS_BLOCK.exec(stderr)!;
      const url = listeningUrl(await server.waitFor('stdout', /tend server listening/));

      const file = path.join(dataDir, 'credentials');
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(readCredentialsFile(file)).toEqual({
        aws_access_key_id: accessKeyId,
        aws_secret_access_key: secretAccessKey,
        region: 'us-east-1',
        endpoint_url: url,
      });
      // The secret goes to the operator's terminal once, never into the structured log.
      expect(server.stdout).not.toContain(secretAccessKey);

      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      // And the printed credentials work.
      const ls = await runTend(['params', 'ls', '--json'], { env: cleanEnv({ AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_ENDPOINT_URL_SSM: url }) });
      expect(ls.stderr).toBe('');
      expect(ls.code).toBe(0);
    } finally {
      const stopped = await server.stop('SIGTERM', 5000);
      expect(stopped.code).toBe(0);
      expect(stopped.ms).toBeLessThan(3000);
    }
  });

  it('does not print credentials again on the next start, and still exits 0 on SIGTERM', async () => {
    const before = fs.readFileSync(path.join(dataDir, 'credentials'), 'utf8');
    const server = start();
    try {
      const url = listeningUrl(await server.waitFor('stdout', /tend server listening/));
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      expect((await server.stop('SIGTERM')).code).toBe(0);
    }
    expect(server.stderr).not.toMatch(/AWS_SECRET_ACCESS_KEY|generated/);
    expect(fs.readFileSync(path.join(dataDir, 'credentials'), 'utf8')).toBe(before);
  });
});
