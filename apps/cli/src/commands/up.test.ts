import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCredentialsFile } from '../config/client-config.js';
import { cleanEnv, runTend, startTend } from '../testing/run-tend.js';

/** The variables of the `export …` line `tend up` prints. */
function exportedVariables(banner: string): Record<string, string> {
  const line = /^\s*export (.+)$/m.exec(banner)?.[1];
  if (!line) throw new Error(`no export line in:\n${banner}`);
  return Object.fromEntries(line.split(' ').map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}

describe('tend up', () => {
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-up-'));
  afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

  it('starts a server in ./.tend and prints a working export block, then stops on SIGTERM', async () => {
    const up = startTend(['up', '--port', '0'], { cwd: project, env: cleanEnv() });
    const banner = await up.waitFor('stdout', /Press Ctrl-C to stop\./);
    try {
      expect(banner).toContain(`Root credentials were generated on this first start and saved to ${path.join(project, '.tend', 'credentials')}`);
      // Only the instructions: request logs stay out of the way at warn level.
      expect(banner).not.toContain('"level"');
      const vars = exportedVariables(banner);
      expect(Object.keys(vars)).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL_SSM']);
      expect(vars.AWS_ENDPOINT_URL_SSM).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(banner).toContain(`Tend is up at ${vars.AWS_ENDPOINT_URL_SSM}`);
      expect(banner).toMatch(/^\s+aws ssm put-parameter --name \S+ --value .+ --type String$/m);

      // The printed variables work as they are…
      const put = await runTend(['params', 'put', '/up/greeting', 'hello', '--json'], { env: cleanEnv(vars) });
      expect(put.stderr).toBe('');
      expect(JSON.parse(put.stdout)).toMatchObject({ Version: 1 });
      // …and the tend CLI needs none of them in the project directory.
      const get = await runTend(['params', 'get', '/up/greeting', '--json'], { env: cleanEnv(), cwd: project });
      expect(JSON.parse(get.stdout).Parameter.Value).toBe('hello');
    } finally {
      expect(await up.stop('SIGTERM')).toMatchObject({ code: 0 });
    }
  });

  it('shows the saved credentials on the next start and points the file at the new endpoint', async () => {
    const file = path.join(project, '.tend', 'credentials');
    const before = readCredentialsFile(file)!;
    const up = startTend(['up', '--port', '0'], { cwd: project, env: cleanEnv() });
    const banner = await up.waitFor('stdout', /Press Ctrl-C to stop\./);
    try {
      expect(banner).not.toContain('generated');
      expect(banner).toContain(`Root credentials from ${file}`);
      const vars = exportedVariables(banner);
      expect(vars.AWS_ACCESS_KEY_ID).toBe(before.aws_access_key_id);
      expect(vars.AWS_SECRET_ACCESS_KEY).toBe(before.aws_secret_access_key);
      expect(readCredentialsFile(file)!.endpoint_url).toBe(vars.AWS_ENDPOINT_URL_SSM);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      const get = await runTend(['params', 'get', '/up/greeting', '--json'], { env: cleanEnv(), cwd: project });
      expect(JSON.parse(get.stdout).Parameter.Value).toBe('hello');
    } finally {
      expect(await up.stop('SIGINT')).toMatchObject({ code: 0 });
    }
  });

  it('says how to get credentials when none are known', async () => {
    fs.rmSync(path.join(project, '.tend', 'credentials'));
    const up = startTend(['up', '--port', '0'], { cwd: project, env: cleanEnv() });
    const banner = await up.waitFor('stdout', /Press Ctrl-C to stop\./);
    try {
      expect(banner).toContain('The root credentials are not known here');
      expect(banner).toMatch(/TEND_ROOT_ACCESS_KEY_ID=\S+ TEND_ROOT_SECRET_ACCESS_KEY=\S+ tend up/);
      expect(banner).not.toContain('export ');
    } finally {
      expect(await up.stop('SIGTERM')).toMatchObject({ code: 0 });
    }
  });
});
