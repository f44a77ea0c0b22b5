import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { SERVER_BUNDLE_FILE, buildServerBundle, isFresh } from './server-bundle.js';
import { TEND_VERSION } from './version.js';

const CREDENTIALS = { accessKeyId: 'AKIABUNDLETEST000001', secretAccessKey: 'bundle-test-secret-0000000000000000000000' };

describe('the server bundle that `tend server` runs', () => {
  // Beside the real bundle, as the bundle finds its dependencies in the repository's node_modules.
  const cache = path.dirname(SERVER_BUNDLE_FILE);
  fs.mkdirSync(cache, { recursive: true });
  const dir = fs.mkdtempSync(path.join(cache, 'test-'));
  const bundle = path.join(dir, 'server.mjs');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is fresh once built, and stale when a source it was built from changed, or without its stamp', async () => {
    await buildServerBundle(bundle);
    expect(isFresh(bundle)).toBe(true);

    const text = fs.readFileSync(bundle, 'utf8');
    // Pretend pipeline.ts was edited after the build: its recorded modification time no longer matches.
    const edited = text.replace(/("apps\/server\/src\/rpc\/pipeline\.ts":\[)([\d.]+)/, (_all, head: string, mtime: string) => `${head}${Number(mtime) - 1000}`);
    expect(edited).not.toBe(text);
    const stale = path.join(dir, 'stale.mjs');
    fs.writeFileSync(stale, edited);
    expect(isFresh(stale)).toBe(false);

    const unstamped = path.join(dir, 'unstamped.mjs');
    fs.writeFileSync(unstamped, text.slice(0, text.lastIndexOf('// tend-server-bundle ')));
    expect(isFresh(unstamped)).toBe(false);
    expect(isFresh(path.join(dir, 'missing.mjs'))).toBe(false);
  });

  it('runs a server that answers the API and finds the files beside its sources', async () => {
    if (!fs.existsSync(bundle)) await buildServerBundle(bundle);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-server-bundle-'));
    // A plain node process, no tsx: the bundle must stand on its own.
    const script = `
      const { startServer } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
      const server = await startServer({ config: { port: 0, dataDir: ${JSON.stringify(dataDir)}, logLevel: 'warn' } });
      process.stdout.write(server.url + '\\n');
      process.on('SIGTERM', () => server.close().then(() => process.exit(0)));`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, TEND_ROOT_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, TEND_ROOT_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes('\n')) resolve(stdout.trim());
        });
        child.once('exit', (code) => reject(new Error(`the bundled server exited with ${code}: ${stderr}`)));
      });
      const ssm = new SSMClient({ endpoint: url, region: 'us-east-1', credentials: CREDENTIALS });
      await ssm.send(new PutParameterCommand({ Name: '/bundle/check', Value: 'from the bundle', Type: 'SecureString' }));
      const read = await ssm.send(new GetParameterCommand({ Name: '/bundle/check', WithDecryption: true }));
      expect(read.Parameter?.Value).toBe('from the bundle');
      // The version is read from package.json found through import.meta.url: the bundle must keep each module's own URL.
      const version = await ssm.send(new GetParameterCommand({ Name: '/tend/service/server/version' }));
      expect(version.Parameter?.Value).toBe(TEND_VERSION);
      ssm.destroy();
    } finally {
      child.kill('SIGTERM');
      expect({ code: await exited, stderr }).toEqual({ code: 0, stderr: '' });
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
