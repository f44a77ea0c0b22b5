import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateActivationCommand, DescribeInstanceInformationCommand } from '@aws-sdk/client-ssm';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { TEND_VERSION } from '../version.js';
import { runProcess } from '../../../cli/src/testing/run-tend.js';

// The installer as a host runs it: fetched from a real server, run by bash,
// downloading the agent from that server, here into a scratch root instead
// of / (so without systemd), then the installed agent started as its unit would.
describe('GET /install.sh', () => {
  let t: TestServer;
  let work: string;
  let script: string;
  let activation: { id: string; code: string };

  // By absolute path, so a test can hand the script a PATH without Node.js on it.
  const BASH = ['/bin/bash', '/usr/bin/bash'].find((p) => fs.existsSync(p)) ?? 'bash';
  const PATH = `${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`;
  // Asynchronous: the script downloads the agent from the server running in this very process.
  const install = (args: string[], env: Record<string, string> = {}) => runProcess(BASH, [script, ...args], { cwd: work, env: { PATH, HOME: work, ...env } });
  const scratchRoot = (name: string) => path.join(work, name);
  const listFiles = (dir: string): string[] =>
    fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort() : [];
  const mode = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-install-'));
    const response = await fetch(`${t.url}/install.sh`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/x-shellscript/);
    script = path.join(work, 'install.sh');
    fs.writeFileSync(script, await response.text());
    const created = await t.ssm.send(new CreateActivationCommand({ IamRole: 'SSMServiceRole', RegistrationLimit: 2, DefaultInstanceName: 'installed' }));
    activation = { id: created.ActivationId!, code: created.ActivationCode! };
  });
  afterAll(async () => {
    await t?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('is valid bash naming the server by the address the request used', async () => {
    expect(spawnSync('bash', ['-n', script]).status).toBe(0);
    const text = fs.readFileSync(script, 'utf8');
    expect(text).toContain(`TEND_SERVER_URL='${t.url}'`);
    expect(text).toContain(`TEND_VERSION='${TEND_VERSION}'`);
    expect(text).not.toContain('__TEND_');

    const port = new URL(t.url).port;
    const other = await get(`${t.url}/install.sh`, { host: `tend.example.com:${port}` });
    expect(other.status).toBe(200);
    expect(other.body).toContain(`TEND_SERVER_URL='http://tend.example.com:${port}'`);
    // A Host header that is not an address never reaches the script; the answer is a script that says so.
    const hostile = await get(`${t.url}/install.sh`, { host: "x';touch /tmp/pwned;'" });
    expect(hostile.status).toBe(400);
    expect(hostile.body).toMatch(/^echo 'tend install: .*' >&2\nexit 1\n$/);
  });

  it('refuses without an activation, with a malformed one, and with a Node.js that is too old', async () => {
    const root = scratchRoot('refused');
    const none = await install(['--root', root]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('--activation-id is required');
    const noCode = await install(['--root', root, '--activation-id', activation.id]);
    expect(noCode.code).toBe(1);
    expect(noCode.stderr).toContain('--activation-code (or TEND_ACTIVATION_CODE) is required');
    const malformed = await install(['--root', root, '--activation-id', 'x; rm -rf /', '--activation-code', activation.code]);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain('--activation-id must look like');
    expect((await install(['--root', root, '--bogus'])).stderr).toContain('unknown option --bogus');

    const oldNode = path.join(work, 'node18');
    fs.writeFileSync(oldNode, '#!/bin/sh\necho 18.20.4\n', { mode: 0o755 });
    const tooOld = await install(['--root', root, '--activation-id', activation.id, '--activation-code', activation.code, '--node', oldNode]);
    expect(tooOld.code).toBe(1);
    expect(tooOld.stderr).toContain(`Node.js 18.20.4 at ${oldNode} is too old; install Node.js 20.19 or later first: https://nodejs.org/en/download`);
    const withoutNode = path.join(work, 'bin-without-node');
    fs.mkdirSync(withoutNode);
    fs.symlinkSync(spawnSync('sh', ['-c', 'command -v curl'], { encoding: 'utf8' }).stdout.trim(), path.join(withoutNode, 'curl'));
    const noNode = await install(['--root', root, '--activation-id', activation.id, '--activation-code', activation.code], { PATH: withoutNode });
    expect(noNode.stderr).toMatch(/Node\.js was not found on PATH; install Node\.js 20\.19 or later/);
    expect(listFiles(root)).toEqual([]);
  });

  it('prints its plan with --dry-run and changes nothing, never showing the code', async () => {
    const root = scratchRoot('dry');
    const run = await install(['--root', root, '--activation-id', activation.id, '--activation-code', activation.code, '--dry-run']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('dry run: nothing is changed');
    expect(run.stdout).toContain(`would download ${t.url}/agent/tend-agent.cjs`);
    expect(run.stdout).toMatch(/^ {4}Restart=always$/m);
    expect(run.stdout).not.toContain(activation.code);
    expect(fs.existsSync(root)).toBe(false);
  });

  it('installs the agent, its state dir and a systemd unit into a scratch root, and the unit starts a working agent', async () => {
    const root = scratchRoot('host');
    // The code through the environment, as the help suggests, to keep it out of the process list.
    const run = await install(['--root', root, '--activation-id', activation.id, '--name', 'web-1'], { TEND_ACTIVATION_CODE: activation.code });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`agent ${TEND_VERSION} installed at ${root}/opt/tend/tend-agent.cjs`);
    expect(run.stdout).toContain('systemctl skipped (--root)');
    expect(run.stdout + run.stderr).not.toContain(activation.code);

    expect(listFiles(root)).toEqual(['etc/systemd/system/tend-agent.service', 'etc/tend/agent.env', 'opt/tend/tend-agent.cjs']);
    expect(mode(path.join(root, 'var/lib/tend'))).toBe('700');
    expect(mode(path.join(root, 'etc/tend/agent.env'))).toBe('600');
    expect(mode(path.join(root, 'etc/systemd/system/tend-agent.service'))).toBe('644');
    expect(fs.readFileSync(path.join(root, 'etc/tend/agent.env'), 'utf8')).toBe(`TEND_ACTIVATION_CODE=${activation.code}\n`);

    const unit = fs.readFileSync(path.join(root, 'etc/systemd/system/tend-agent.service'), 'utf8');
    const execStart = /^ExecStart=(\/\S+) (.*)$/m.exec(unit);
    expect(execStart?.[2]).toBe(`/opt/tend/tend-agent.cjs agent --server ${t.url} --activation-id ${activation.id} --state-dir /var/lib/tend --name web-1`);
    const nodeBin = execStart![1]!;
    expect(fs.realpathSync(nodeBin)).toBe(fs.realpathSync(process.execPath));
    // KillMode=process and TEND_AGENT_SUPERVISED: an agent update's watchdog must outlive the agent's exit (plugins/update-agent).
    for (const line of ['Restart=always', 'RestartSec=5', 'RestartPreventExitStatus=77', 'KillMode=process', 'Environment=TEND_AGENT_SUPERVISED=true', 'After=network-online.target', 'Wants=network-online.target', 'EnvironmentFile=-/etc/tend/agent.env', 'WantedBy=multi-user.target']) {
      expect(unit).toMatch(new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')}$`, 'm'));
    }
    expect(unit).not.toContain(activation.code);
    const analyze = spawnSync('systemd-analyze', ['verify', path.join(root, 'etc/systemd/system/tend-agent.service')], { encoding: 'utf8' });
    if (!analyze.error) expect(analyze.stderr).toBe('');

    // What systemd would run, with the scratch root's paths: the node registers and comes Online.
    const args = execStart![2]!.split(' ').map((word) => word.replace(/^\/opt\/tend\//, `${root}/opt/tend/`).replace(/^\/var\/lib\/tend$/, `${root}/var/lib/tend`));
    const agent = spawn(nodeBin, args, { env: { PATH, TEND_ACTIVATION_CODE: activation.code, TEND_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let agentLog = '';
    agent.stderr!.on('data', (c: Buffer) => (agentLog += c.toString()));
    try {
      // The server counts the node Online from its registration, a moment before the agent saves its id.
      const stateFile = path.join(root, 'var/lib/tend/state.json');
      const savedId = await waitFor(async () => readJson(stateFile)?.instanceId as string | undefined, () => agentLog);
      const node = await waitFor(async () => {
        const out = await t.ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [savedId] }] }));
        return out.InstanceInformationList?.find((n) => n.PingStatus === 'Online');
      }, () => agentLog);
      expect(node).toMatchObject({ Name: 'web-1', AgentVersion: TEND_VERSION, ActivationId: activation.id, ResourceType: 'ManagedInstance' });
    } finally {
      agent.kill('SIGTERM');
      await new Promise((resolve) => agent.once('exit', resolve));
    }
    expect(agentLog).not.toContain(activation.code);

    // Run again on the registered machine: an upgrade, needing no activation and keeping the identity.
    fs.rmSync(path.join(root, 'etc/tend/agent.env'));
    const again = await install(['--root', root]);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    const upgraded = fs.readFileSync(path.join(root, 'etc/systemd/system/tend-agent.service'), 'utf8');
    expect(upgraded).toMatch(/^ExecStart=\S+ \/opt\/tend\/tend-agent\.cjs agent --server \S+ --state-dir \/var\/lib\/tend$/m);
    expect(fs.existsSync(path.join(root, 'etc/tend/agent.env'))).toBe(false);
  });

  it('refuses a downloaded agent whose SHA-256 is not the one the server sent', async () => {
    // A server (or a proxy on the way) whose file does not match the hash it names.
    const mangling = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/javascript', 'x-tend-agent-sha256': 'a'.repeat(64) }).end('#!/usr/bin/env node\nconsole.log("9.9.9")\n');
    });
    await new Promise<void>((resolve) => mangling.listen(0, '127.0.0.1', resolve));
    try {
      const root = scratchRoot('damaged');
      const { port } = mangling.address() as { port: number };
      const run = await install(['--root', root, '--server', `http://127.0.0.1:${port}`, '--activation-id', activation.id, '--activation-code', activation.code]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/the downloaded agent is damaged \(SHA-256 [0-9a-f]{64}, the server sent a{64}\); run the installer again/);
      expect(listFiles(root)).toEqual([]);
    } finally {
      await new Promise((resolve) => mangling.close(resolve));
    }
  });

  it('serves the agent as one file with an ETag, answering 304 when the host has it', async () => {
    const first = await fetch(`${t.url}/agent/tend-agent.cjs`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^application\/javascript/);
    const body = await first.text();
    expect(body.startsWith('#!/usr/bin/env node\n')).toBe(true);
    // The bundle carries the agent only: nothing of the server.
    expect(body).not.toMatch(/require\("(fastify|kysely|better-sqlite3|pg)"\)/);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect((await fetch(`${t.url}/agent/tend-agent.cjs`, { headers: { 'if-none-match': etag } })).status).toBe(304);
  });
});

/** A JSON file, or undefined while it does not exist or is being written. */
function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** GET with headers fetch will not send (Host). */
function get(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers }, (response) => {
      let body = '';
      response.on('data', (c: Buffer) => (body += c.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
  });
}

async function waitFor<T>(probe: () => Promise<T | undefined>, context: () => string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out; agent log:\n${context()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
