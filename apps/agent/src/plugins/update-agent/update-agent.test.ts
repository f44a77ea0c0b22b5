import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../../server/src/testing/test-server.js';
import { TEND_VERSION } from '../../../../server/src/version.js';
import { silentLogger } from '../../logger.js';
import { OutputSink } from '../output-sink.js';
import type { PluginResult } from '../plugin.js';
import { createUpdateAgentPlugin, currentLaunch, previousBundleFile, type UpdateAgentOptions } from './update-agent.js';
import { downloadRelease, fetchReleases } from './release-client.js';
import { addRelease } from './update-test-support.js';

/**
 * The plugin's checks before it replaces anything, run in this process
 * against a real server's releases. The update itself, the restart and the
 * rollbacks run real agent processes: update-agent.e2e.test.ts.
 */
let t: TestServer;
let work: string;
beforeAll(async () => {
  t = await startTestServer('sqlite');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-update-'));
});
afterAll(async () => {
  await t?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

interface Run {
  result: PluginResult;
  stdout: string;
  stderr: string;
  restarts: number;
}

async function runPlugin(inputs: Record<string, unknown>, options: Partial<UpdateAgentOptions> = {}): Promise<Run> {
  let restarts = 0;
  const plugin = createUpdateAgentPlugin({
    stateDir: path.join(work, 'state'),
    serverUrl: t.url,
    currentVersion: TEND_VERSION,
    bundleFile: undefined,
    restart: () => restarts++,
    env: {},
    ...options,
  });
  const output = new OutputSink();
  const result = await plugin.run(inputs, {
    signal: new AbortController().signal,
    deadline: Date.now() + 60_000,
    logger: silentLogger,
    output,
    env: {},
    invocationId: 'inv-1',
    stepName: 'updateAgent',
  });
  output.end();
  const run = { result, stdout: output.head('stdout'), stderr: output.head('stderr'), restarts };
  await output.dispose();
  return run;
}

describe('aws:updateSsmAgent before it replaces anything', () => {
  it('does nothing, successfully, when the agent already runs the newest release', async () => {
    const run = await runPlugin({ targetVersion: '', allowDowngrade: 'false' });
    expect(run.result).toMatchObject({ status: 'Success', responseCode: 0 });
    expect(run.result.handedOff).toBeUndefined();
    expect(run.stdout).toBe(`The agent is already at version ${TEND_VERSION}; nothing to update.\n`);
    expect(run.restarts).toBe(0);
  });

  it('refuses an older release unless allowDowngrade is true', async () => {
    const newer = await runPlugin({ targetVersion: '', allowDowngrade: 'false' }, { currentVersion: '9.0.0' });
    expect(newer.result).toMatchObject({ status: 'Failed', responseCode: 1 });
    expect(newer.stderr).toBe(`Version ${TEND_VERSION} is older than the running 9.0.0; set allowDowngrade to true to install it.\n`);
    expect(newer.restarts).toBe(0);
    // Allowed, it gets past the version check (and here stops at the next one: no bundle to replace).
    const allowed = await runPlugin({ targetVersion: TEND_VERSION, allowDowngrade: 'true' }, { currentVersion: '9.0.0' });
    expect(allowed.result.status).toBe('Failed');
    expect(allowed.stderr).toContain('does not run from the single-file bundle (tend-agent.cjs)');
  });

  it('fails with the reason for a version the server does not hold and for unusable inputs or settings', async () => {
    const missing = await runPlugin({ targetVersion: '7.7.7' });
    expect(missing.stderr).toBe(`The server holds no agent release 7.7.7; it holds ${TEND_VERSION}.\n`);
    expect((await runPlugin({ targetVersion: 'latest' })).stderr).toBe('Input targetVersion must be empty (the newest release) or a version such as 1.2.3.\n');
    expect((await runPlugin({ targetVersion: '', allowDowngrade: 'yes' })).stderr).toBe('Input allowDowngrade must be true or false.\n');
    const bundleFile = path.join(work, 'settings', 'tend-agent.cjs');
    const toOlder = { targetVersion: TEND_VERSION, allowDowngrade: 'true' };
    expect((await runPlugin(toOlder, { currentVersion: '9.0.0', bundleFile, env: { TEND_AGENT_UPDATE_TIMEOUT_SECONDS: 'soon' } })).stderr).toBe(
      'TEND_AGENT_UPDATE_TIMEOUT_SECONDS must be a positive number of seconds, not "soon".\n',
    );
    // Under a systemd unit written before agent updates existed, the watchdog would die with the agent: refuse.
    const oldUnit = await runPlugin(toOlder, { currentVersion: '9.0.0', bundleFile, env: { INVOCATION_ID: '0123abcd' } });
    expect(oldUnit.stderr).toMatch(/^This agent runs under systemd, but its unit does not set TEND_AGENT_SUPERVISED=true: .* Run install\.sh again/);
    expect(oldUnit.restarts).toBe(0);
    const unreachable = await runPlugin({}, { serverUrl: 'http://127.0.0.1:9' });
    expect(unreachable.result.status).toBe('Failed');
    expect(unreachable.stderr).toMatch(/^Could not list the agent releases on http:\/\/127\.0\.0\.1:9: /);
  });

  it('installs nothing when the download does not say it is the version asked for', async () => {
    addRelease(t.dataDir, '0.5.0', `console.log('0.6.0');\n`);
    const dir = path.join(work, 'host');
    fs.mkdirSync(dir, { recursive: true });
    const bundleFile = path.join(dir, 'tend-agent.cjs');
    fs.writeFileSync(bundleFile, '// the running agent\n');
    try {
      const run = await runPlugin({ targetVersion: '0.5.0' }, { bundleFile, launch: { ...currentLaunch(), args: ['agent'] } });
      expect(run.result).toMatchObject({ status: 'Failed', responseCode: 1 });
      expect(run.stderr).toBe('The update to 0.5.0 was not installed: the downloaded agent says it is version "0.6.0", not 0.5.0\n');
      expect(run.restarts).toBe(0);
      // Untouched: the running bundle, no previous copy, no leftover download, no hand-off.
      expect(fs.readdirSync(dir)).toEqual(['tend-agent.cjs']);
      expect(fs.readFileSync(bundleFile, 'utf8')).toBe('// the running agent\n');
      expect(fs.existsSync(previousBundleFile(bundleFile))).toBe(false);
      expect(fs.existsSync(path.join(work, 'state', 'update', 'handoff.json'))).toBe(false);
    } finally {
      fs.rmSync(path.join(t.dataDir, 'agent-releases'), { recursive: true, force: true });
    }
  });

  it('refuses a download whose SHA-256 is not the one listed', async () => {
    const [own] = (await fetchReleases(t.url, new AbortController().signal)).releases;
    const file = path.join(work, 'damaged.cjs');
    await expect(downloadRelease(t.url, { ...own!, sha256: '0'.repeat(64) }, file, new AbortController().signal)).rejects.toThrow(
      `the download of ${TEND_VERSION} is damaged: its SHA-256 is ${own!.sha256}, the server lists ${'0'.repeat(64)}`,
    );
    expect(fs.existsSync(file)).toBe(false);
    await downloadRelease(t.url, own!, file, new AbortController().signal);
    expect(fs.statSync(file).size).toBe(own!.size);
  });
});
