import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DescribeInstanceInformationCommand, GetCommandInvocationCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import { createTestActivation } from '../../../../server/src/domains/nodes/node-test-support.js';
import { startTestServer, type TestServer } from '../../../../server/src/testing/test-server.js';
import { buildAgentBundle } from '../../../../server/src/gateway/install-script-bundle.js';
import { TEND_VERSION } from '../../../../server/src/version.js';
import { startFakeGateway, type FakeGateway } from '../../testing/fake-gateway.js';
import { eventually } from '../../testing/eventually.js';
import { readState } from '../../state.js';
import { findAgentProcesses } from './agent-processes.js';
import {
  addRelease,
  crashingBundle,
  processesMentioning,
  resultsFor,
  silentBundle,
  startBundledAgent,
  startFront,
  updateInvocation,
  type AgentProcess,
} from './update-test-support.js';

/**
 * AWS-UpdateSSMAgent on a real agent process: the bundle a host runs
 * (GET /agent/tend-agent.cjs, plain node), releases in a real server's
 * release dir, the update, the restart and the rollbacks for real. The
 * invocation frames come from a fake gateway in front of the server (see
 * update-test-support.ts); SendCommand end to end is in the server's tests.
 *
 * A few seconds each: the new agent gets TIMEOUT_SECONDS to connect.
 */
const TIMEOUT_SECONDS = 3;
const NEXT = '0.2.0';
const CRASHING = '0.3.0';
const SILENT = '0.4.0';

let t: TestServer;
let gateway: FakeGateway;
let front: { url: string; close(): Promise<void> };
let currentBundle: Buffer;
let nextBundle: Buffer;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-update-e2e-'));

beforeAll(async () => {
  t = await startTestServer('sqlite');
  gateway = await startFakeGateway();
  gateway.features = ['invocations.v1'];
  front = await startFront(t.url, gateway);
  // The installed agent, fetched as install.sh fetches it: the server's own version.
  currentBundle = Buffer.from(await (await fetch(`${t.url}/agent/tend-agent.cjs`)).arrayBuffer());
  // A newer release, bundled from the same sources with another version number, dropped in by an operator.
  nextBundle = (await buildAgentBundle(NEXT)).code;
  addRelease(t.dataDir, NEXT, nextBundle);
  addRelease(t.dataDir, CRASHING, crashingBundle(CRASHING));
  addRelease(t.dataDir, SILENT, silentBundle(SILENT));
}, 60_000);

afterAll(async () => {
  await front?.close();
  await gateway?.close();
  await t?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

interface Host {
  dir: string;
  bundleFile: string;
  stateDir: string;
  instanceId: string;
  agent: AgentProcess;
}

const hosts: Host[] = [];
afterEach(async () => {
  // Everything a test started names its host dir: the agents, watchdogs and supervisor loops.
  // Twice, in case a loop started an agent between the look and the kill.
  for (const host of hosts.splice(0)) {
    for (let pass = 0; pass < 2; pass++) {
      for (const pid of processesMentioning(host.dir)) killQuietly(pid);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
});

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

let hostCount = 0;
function agentEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: work, TEND_LOG_LEVEL: 'info', TEND_AGENT_UPDATE_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS), ...extra };
}

/** Installs the current bundle in a fresh host dir and starts it by hand (`node tend-agent.cjs agent …`), registered and online (by default through the fake gateway). */
async function startHost(options: { supervised?: boolean; server?: string; activation?: { activationId: string; activationCode: string } } = {}): Promise<Host> {
  const dir = path.join(work, `host-${++hostCount}`);
  fs.mkdirSync(dir);
  const bundleFile = path.join(dir, 'tend-agent.cjs');
  fs.writeFileSync(bundleFile, currentBundle);
  const stateDir = path.join(dir, 'state');
  const activation = options.activation ?? { activationId: '8ae6f3e4-f3ad-494d-a26e-8167f3892608', activationCode: 'test-code' };
  const args = [bundleFile, 'agent', '--server', options.server ?? front.url, '--activation-id', activation.activationId, '--activation-code', activation.activationCode, '--state-dir', stateDir];
  let agent: AgentProcess;
  if (options.supervised) {
    // What systemd's Restart=always does, by hand: start the agent again whenever it exits.
    const quoted = [process.execPath, ...args].map((word) => `'${word}'`).join(' ');
    agent = startBundledAgent('/bin/sh', ['-c', `while :; do ${quoted}; sleep 0.5; done`], agentEnv({ TEND_AGENT_SUPERVISED: 'true' }));
  } else {
    agent = startBundledAgent(process.execPath, args, agentEnv({ TEND_AGENT_SUPERVISED: 'false' }));
  }
  const host: Host = { dir, bundleFile, stateDir, instanceId: '', agent };
  hosts.push(host);
  await eventually('the agent registered', async () => Boolean((await readState(stateDir).catch(() => undefined))?.instanceId), 15_000);
  host.instanceId = (await readState(stateDir))!.instanceId!;
  const online = options.server ? () => t.server.services.agents.isConnected(host.instanceId) : () => gateway.sockets.has(host.instanceId);
  await eventually('the agent online', online, 15_000);
  return host;
}

function send(host: Host, frame: object): void {
  const socket = gateway.sockets.get(host.instanceId);
  if (!socket) throw new Error(`node ${host.instanceId} is not connected`);
  socket.send(JSON.stringify(frame));
}

/** Waits for the invocation's result, acknowledges it as the server does, and returns it. */
async function resultOf(host: Host, invocationId: string, timeoutMs = 20_000) {
  try {
    await eventually(`the result of ${invocationId}`, () => resultsFor(gateway, invocationId).length > 0, timeoutMs);
  } catch (err) {
    throw new Error(`${(err as Error).message}; agent log:\n${host.agent.log}`);
  }
  const result = resultsFor(gateway, invocationId)[0]!;
  send(host, { v: 1, type: 'invocation.result.ack', invocationId });
  return result;
}

const versionsOf = (host: Host) => gateway.frames.filter(({ instanceId, frame }) => instanceId === host.instanceId && frame.type === 'auth').map(({ frame }) => (frame.type === 'auth' ? frame.info.agentVersion : ''));
const updateDir = (host: Host) => path.join(host.stateDir, 'update');

describe('aws:updateSsmAgent, agent run by hand (node tend-agent.cjs agent)', () => {
  it('updates to a newer release from the server, restarts onto it and reports Success once the new agent is connected', async () => {
    const host = await startHost();
    send(host, updateInvocation('upd-next', { targetVersion: NEXT }));

    const result = await resultOf(host, 'upd-next');
    expect(result).toMatchObject({ status: 'Success', responseCode: 0 });
    expect(result.steps).toHaveLength(1);
    expect(result.steps[0]).toMatchObject({ name: 'updateAgent', status: 'Success', responseCode: 0 });
    expect(result.steps[0]!.stdout).toContain(`Updating the agent from ${TEND_VERSION} to ${NEXT}.`);
    expect(result.steps[0]!.stdout).toMatch(/SHA-256 [0-9a-f]{64} matches the server's listing/);
    expect(result.steps[0]!.stdout).toContain(`Updated the agent from ${TEND_VERSION} to ${NEXT}.`);
    // Exactly one result: the old process handed the step over instead of reporting it interrupted.
    expect(resultsFor(gateway, 'upd-next')).toHaveLength(1);

    // The process started by hand exited cleanly; its successor runs the new version from the same file.
    expect(await host.agent.exited).toBe(0);
    expect(versionsOf(host)).toEqual([TEND_VERSION, NEXT]);
    expect(fs.readFileSync(host.bundleFile).equals(nextBundle)).toBe(true);
    expect(fs.readFileSync(path.join(host.dir, 'tend-agent.previous.cjs')).equals(currentBundle)).toBe(true);
    const running = findAgentProcesses(host.bundleFile, host.stateDir);
    expect(running).toHaveLength(1);
    expect(running[0]!.pid).not.toBe(host.agent.child.pid);
    // The watchdog saw the confirmation, cleaned up and left; the acknowledged result is forgotten.
    await eventually('the update dir emptied', () => fs.readdirSync(updateDir(host)).length === 0, 5_000);
    await eventually('the result forgotten after the ack', () => fs.readdirSync(path.join(host.stateDir, 'invocations')).length === 0, 5_000);
    expect(processesMentioning(host.dir).filter((pid) => pid !== running[0]!.pid)).toEqual([]);
  });

  it('rolls back when the new bundle crashes at start-up: the previous agent runs again and reports Failed with the reason', async () => {
    const host = await startHost();
    const started = Date.now();
    send(host, updateInvocation('upd-crash', { targetVersion: CRASHING }));

    const result = await resultOf(host, 'upd-crash');
    expect(result).toMatchObject({ status: 'Failed', responseCode: 1 });
    expect(result.message).toBe(
      `The agent update from ${TEND_VERSION} to ${CRASHING} was rolled back: the new agent exited with status 3 before it connected to the server. Agent ${TEND_VERSION} was put back.`,
    );
    expect(result.steps[0]).toMatchObject({ name: 'updateAgent', status: 'Failed' });
    expect(result.steps[0]!.stderr).toContain('rolled back');
    // By hand the watchdog sees the crash at once rather than waiting out the timeout.
    expect(Date.now() - started).toBeLessThan(TIMEOUT_SECONDS * 1000);
    expect(host.agent.log).toContain(`broken agent build ${CRASHING}: crashing at start-up`);

    expect(fs.readFileSync(host.bundleFile).equals(currentBundle)).toBe(true);
    expect(versionsOf(host)).toEqual([TEND_VERSION, TEND_VERSION]);
    expect(findAgentProcesses(host.bundleFile, host.stateDir)).toHaveLength(1);
    await eventually('the update dir emptied', () => fs.readdirSync(updateDir(host)).length === 0, 5_000);
  });

  it('rolls back when the new agent starts but never connects: stopped after the timeout, the previous one restarted', async () => {
    const host = await startHost();
    const started = Date.now();
    send(host, updateInvocation('upd-silent', { targetVersion: SILENT }));

    const result = await resultOf(host, 'upd-silent');
    expect(result).toMatchObject({ status: 'Failed', responseCode: 1 });
    expect(result.message).toBe(
      `The agent update from ${TEND_VERSION} to ${SILENT} was rolled back: the new agent did not connect to the server within ${TIMEOUT_SECONDS} s. Agent ${TEND_VERSION} was put back.`,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_SECONDS * 1000);
    expect(host.agent.log).toContain(`broken agent build ${SILENT}: never connects`);
    expect(fs.readFileSync(host.bundleFile).equals(currentBundle)).toBe(true);
    expect(versionsOf(host)).toEqual([TEND_VERSION, TEND_VERSION]);
    // The silent process was stopped: only the restored agent runs.
    expect(findAgentProcesses(host.bundleFile, host.stateDir)).toHaveLength(1);
  });

  it('refuses a downgrade unless allowDowngrade is true, and does nothing when already at the version', async () => {
    const host = await startHost();
    addRelease(t.dataDir, '0.0.9', crashingBundle('0.0.9'));
    try {
      send(host, updateInvocation('upd-down', { targetVersion: '0.0.9' }));
      const down = await resultOf(host, 'upd-down');
      expect(down).toMatchObject({ status: 'Failed', responseCode: 1 });
      expect(down.steps[0]!.stderr).toBe(`Version 0.0.9 is older than the running ${TEND_VERSION}; set allowDowngrade to true to install it.\n`);

      send(host, updateInvocation('upd-same', { targetVersion: TEND_VERSION }));
      const same = await resultOf(host, 'upd-same');
      expect(same).toMatchObject({ status: 'Success', responseCode: 0 });
      expect(same.steps[0]!.stdout).toBe(`The agent is already at version ${TEND_VERSION}; nothing to update.\n`);

      // Neither restarted anything: one connection, the same process, the same file.
      expect(host.agent.child.exitCode).toBeNull();
      expect(versionsOf(host)).toEqual([TEND_VERSION]);
      expect(fs.readFileSync(host.bundleFile).equals(currentBundle)).toBe(true);
      expect(fs.existsSync(path.join(host.dir, 'tend-agent.previous.cjs'))).toBe(false);
    } finally {
      fs.rmSync(path.join(t.dataDir, 'agent-releases', '0.0.9'), { recursive: true, force: true });
    }
  });
});

describe('aws:updateSsmAgent under a supervisor that restarts the agent (as systemd with Restart=always)', () => {
  it('updates: the agent exits, the supervisor starts the new version, which reports Success', async () => {
    const host = await startHost({ supervised: true });
    send(host, updateInvocation('sup-next', { targetVersion: NEXT }));
    const result = await resultOf(host, 'sup-next');
    expect(result).toMatchObject({ status: 'Success' });
    expect(result.steps[0]!.stdout).toContain(`Updated the agent from ${TEND_VERSION} to ${NEXT}.`);
    expect(versionsOf(host)).toEqual([TEND_VERSION, NEXT]);
    await eventually('the update dir emptied', () => fs.readdirSync(updateDir(host)).length === 0, 5_000);
  });

  it('rolls back a crash-looping bundle after the timeout: restores the file, and the supervisor starts the previous agent', async () => {
    const host = await startHost({ supervised: true });
    send(host, updateInvocation('sup-crash', { targetVersion: CRASHING }));
    const result = await resultOf(host, 'sup-crash');
    expect(result).toMatchObject({ status: 'Failed' });
    expect(result.message).toContain(`rolled back: the new agent did not connect to the server within ${TIMEOUT_SECONDS} s`);
    // The supervisor restarted the broken build more than once before the rollback.
    expect(host.agent.log.split(`broken agent build ${CRASHING}`).length - 1).toBeGreaterThanOrEqual(2);
    expect(fs.readFileSync(host.bundleFile).equals(currentBundle)).toBe(true);
    expect(versionsOf(host).at(-1)).toBe(TEND_VERSION);
  });

  it('rolls back a bundle that runs but never connects: the watchdog stops it, the supervisor starts the previous agent', async () => {
    const host = await startHost({ supervised: true });
    send(host, updateInvocation('sup-silent', { targetVersion: SILENT }));
    const result = await resultOf(host, 'sup-silent');
    expect(result).toMatchObject({ status: 'Failed' });
    expect(result.message).toContain(`rolled back: the new agent did not connect to the server within ${TIMEOUT_SECONDS} s`);
    expect(fs.readFileSync(host.bundleFile).equals(currentBundle)).toBe(true);
    expect(versionsOf(host)).toEqual([TEND_VERSION, TEND_VERSION]);
    await eventually('one agent left', () => findAgentProcesses(host.bundleFile, host.stateDir).length === 1, 5_000);
  });
});

describe('SendCommand DocumentName=AWS-UpdateSSMAgent, end to end', () => {
  const invocation = (commandId: string, instanceId: string) => t.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
  const agentVersion = async (instanceId: string) =>
    (await t.ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [instanceId] }] }))).InstanceInformationList?.[0]?.AgentVersion;

  it('updates a node to a release the server holds, and the command ends Success with the new version Online', async () => {
    const host = await startHost({ server: t.url, activation: await createTestActivation(t) });
    const sent = await t.ssm.send(new SendCommandCommand({ DocumentName: 'AWS-UpdateSSMAgent', InstanceIds: [host.instanceId], Parameters: { version: [NEXT] } }));
    const commandId = sent.Command!.CommandId!;
    let done;
    try {
      await eventually('the invocation finished', async () => ['Success', 'Failed', 'TimedOut', 'Cancelled'].includes((await invocation(commandId, host.instanceId)).Status!), 20_000);
      done = await invocation(commandId, host.instanceId);
    } catch (err) {
      throw new Error(`${(err as Error).message}; agent log:\n${host.agent.log}`);
    }
    expect(done).toMatchObject({ Status: 'Success', ResponseCode: 0, PluginName: 'updateAgent' });
    expect(done.StandardOutputContent).toContain(`Updated the agent from ${TEND_VERSION} to ${NEXT}.`);
    await eventually('the node reports the new version', async () => (await agentVersion(host.instanceId)) === NEXT, 10_000);
  });

  it('reports the rollback of a broken release as the invocation’s failure, and the node keeps its version', async () => {
    const host = await startHost({ server: t.url, activation: await createTestActivation(t) });
    const sent = await t.ssm.send(new SendCommandCommand({ DocumentName: 'AWS-UpdateSSMAgent', InstanceIds: [host.instanceId], Parameters: { version: [CRASHING] } }));
    const commandId = sent.Command!.CommandId!;
    await eventually('the invocation finished', async () => ['Success', 'Failed', 'TimedOut', 'Cancelled'].includes((await invocation(commandId, host.instanceId)).Status!), 20_000);
    const done = await invocation(commandId, host.instanceId);
    expect(done).toMatchObject({ Status: 'Failed' });
    expect(done.StandardErrorContent).toContain(`The agent update from ${TEND_VERSION} to ${CRASHING} was rolled back`);
    expect(await agentVersion(host.instanceId)).toBe(TEND_VERSION);
    expect(fs.readFileSync(host.bundleFile).equals(currentBundle)).toBe(true);
  });
});
