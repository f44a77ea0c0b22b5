import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_FEATURES, AGENT_PROTOCOL_VERSION, agentFrameSchema, parseFrame, type AgentFrame, type NodeInfo } from '@tend/protocol';
import { runConnection } from '../connection.js';
import { FrameHandlers } from '../frame-handlers.js';
import { loadPrivateKey } from '../identity.js';
import { createLogger } from '../logger.js';
import { PluginRegistry } from '../plugins/plugin.js';
import { processIsAlive } from '../plugins/process-tree.js';
import { createRunShellScriptPlugin } from '../plugins/run-shell-script/run-shell-script.js';
import { ensureRegistered } from '../registration.js';
import { eventually } from '../testing/eventually.js';
import { startFakeGateway, type FakeGateway } from '../testing/fake-gateway.js';
import { AGENT_RESTARTED_MESSAGE, InvocationRunner, chunks } from './invocation-runner.js';

const INFO: NodeInfo = { computerName: 'h', ipAddress: '10.0.0.1', platformType: 'Linux', platformName: 'Ubuntu', platformVersion: '24.04', agentVersion: '0.1.0' };

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function gateway(): Promise<FakeGateway> {
  const g = await startFakeGateway();
  g.features = [AGENT_FEATURES.invocations];
  cleanups.push(() => g.close());
  return g;
}

function tempStateDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-agent-inv-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** One agent process: a runner on `stateDir` and its connection; `stop()` is the agent shutting down. */
async function agent(g: FakeGateway, stateDir: string, logLines: string[] = []) {
  const state = await ensureRegistered({ stateDir, serverUrl: g.url, activationId: 'a', activationCode: 'c', info: () => INFO });
  const logger = createLogger({ level: "debug", write: (line) => { logLines.push(line); if (process.env.DBG) process.stderr.write(line); } });
  const runner = new InvocationRunner({ stateDir, plugins: new PluginRegistry().register(createRunShellScriptPlugin({ killGraceMs: 300, drainMs: 100 })), logger });
  await runner.load();
  const handlers = new FrameHandlers();
  runner.register(handlers);
  const controller = new AbortController();
  const done = runConnection({
    serverUrl: g.url,
    instanceId: state.instanceId,
    privateKey: loadPrivateKey(state.privateKey),
    info: () => INFO,
    signal: controller.signal,
    handlers,
    logger,
    backoff: { baseMs: 50, capMs: 200 },
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    controller.abort();
    await done.catch(() => {});
    await runner.drain();
  };
  cleanups.push(stop);
  const instanceId = state.instanceId;
  await eventually('online', () => g.sockets.has(instanceId));
  return { instanceId, runner, stop };
}

const sendTo = (g: FakeGateway, instanceId: string, frame: Record<string, unknown>) =>
  g.sockets.get(instanceId)!.send(JSON.stringify({ v: AGENT_PROTOCOL_VERSION, ...frame }));

function start(id: string, commands: string[][], extra: Record<string, unknown> = {}) {
  return {
    type: 'invocation.start',
    invocationId: id,
    commandId: 'cmd-1',
    documentName: 'AWS-RunShellScript',
    steps: commands.map((runCommand, i) => ({ name: `step${i}`, action: 'aws:runShellScript', inputs: { runCommand } })),
    executionDeadline: Date.now() + 60_000,
    ...extra,
  };
}

type Of<T extends AgentFrame['type']> = Extract<AgentFrame, { type: T }>;
const framesOf = <T extends AgentFrame['type']>(g: FakeGateway, type: T, invocationId?: string): Array<Of<T>> =>
  g.frames.map((f) => f.frame).filter((f): f is Of<T> => f.type === type && (invocationId === undefined || (f as { invocationId?: string }).invocationId === invocationId));

const resultOf = async (g: FakeGateway, id: string, timeoutMs = 10_000) => {
  await eventually(`result of ${id}`, () => framesOf(g, 'invocation.result', id).length > 0, timeoutMs);
  return framesOf(g, 'invocation.result', id)[0]!;
};

/** Every byte under the state dir, as text. */
function stateDirText(dir: string): string {
  let text = '';
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) text += fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
  }
  return text;
}

describe('invocation runner', () => {
  it('asks for pending work when the server supports it, and stays quiet when it does not', async () => {
    const g = await gateway();
    await agent(g, tempStateDir());
    await eventually('pending.request', () => framesOf(g, 'pending.request').length === 1);

    const old = await startFakeGateway();
    cleanups.push(() => old.close());
    const node = await agent(old, tempStateDir());
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(old.frames.filter((f) => f.instanceId === node.instanceId).map((f) => f.frame.type)).toEqual(['auth']);
  });

  it('runs steps in order, streams output frames and reports Success', async () => {
    const g = await gateway();
    const node = await agent(g, tempStateDir());
    sendTo(g, node.instanceId, start('inv-ok', [['echo one', 'echo oops >&2'], ['printf "%05000d" 0']], { outputChunkChars: 1000 }));
    const result = await resultOf(g, 'inv-ok');
    expect(result).toMatchObject({ status: 'Success', responseCode: 0 });
    expect(result.steps.map((s) => [s.name, s.status, s.stdout.length])).toEqual([
      ['step0', 'Success', 4],
      ['step1', 'Success', 5000],
    ]);
    expect(result.steps[0]!.stderr).toBe('oops\n');
    expect(framesOf(g, 'invocation.accepted', 'inv-ok')).toHaveLength(1);
    const output = framesOf(g, 'invocation.output', 'inv-ok');
    expect(output.map((f) => f.seq)).toEqual(output.map((_, i) => i));
    expect(output.every((f) => f.data.length <= 1000)).toBe(true);
    expect(output.filter((f) => f.step === 'step1').map((f) => f.data).join('')).toBe('0'.repeat(5000));
    // Every frame the agent sent is valid under the shared schema.
    for (const { frame } of g.frames) expect(parseFrame(agentFrameSchema, JSON.stringify(frame))).toBeDefined();
  });

  it('stops at the first failed step', async () => {
    const g = await gateway();
    const stateDir = tempStateDir();
    const marker = path.join(stateDir, 'ran-third');
    const node = await agent(g, stateDir);
    sendTo(g, node.instanceId, start('inv-fail', [['echo a'], ['exit 3'], [`touch ${marker}`]]));
    const result = await resultOf(g, 'inv-fail');
    expect(result).toMatchObject({ status: 'Failed', responseCode: 3 });
    expect(result.steps.map((s) => s.status)).toEqual(['Success', 'Failed']);
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('cancel kills the whole tree and reports Cancelled', async () => {
    const g = await gateway();
    const node = await agent(g, tempStateDir());
    sendTo(g, node.instanceId, start('inv-cancel', [['sleep 300 &', 'echo "bg=$!"', 'sleep 300']]));
    await eventually('background pid', () => framesOf(g, 'invocation.output', 'inv-cancel').some((f) => f.data.includes('bg=')));
    const bg = Number(/bg=(\d+)/.exec(framesOf(g, 'invocation.output', 'inv-cancel').map((f) => f.data).join(''))![1]);
    expect(processIsAlive(bg)).toBe(true);
    sendTo(g, node.instanceId, { type: 'invocation.cancel', invocationId: 'inv-cancel' });
    const result = await resultOf(g, 'inv-cancel');
    expect(result).toMatchObject({ status: 'Cancelled', responseCode: 137 });
    expect(processIsAlive(bg)).toBe(false);
  });

  it('reports TimedOut at the execution deadline', async () => {
    const g = await gateway();
    const node = await agent(g, tempStateDir());
    const started = Date.now();
    sendTo(g, node.instanceId, start('inv-late', [['sleep 300'], ['echo never']], { executionDeadline: Date.now() + 500 }));
    const result = await resultOf(g, 'inv-late');
    expect(result).toMatchObject({ status: 'TimedOut', responseCode: 137 });
    expect(result.steps.map((s) => s.status)).toEqual(['TimedOut']);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('answers a duplicate start without running twice', async () => {
    const g = await gateway();
    const stateDir = tempStateDir();
    const counter = path.join(stateDir, 'runs');
    const node = await agent(g, stateDir);
    const frame = start('inv-dup', [[`echo x >> ${counter}`, 'sleep 0.5']]);
    sendTo(g, node.instanceId, frame);
    sendTo(g, node.instanceId, frame); // while running
    await resultOf(g, 'inv-dup');
    sendTo(g, node.instanceId, frame); // after it finished
    await eventually('result re-sent', () => framesOf(g, 'invocation.result', 'inv-dup').length === 2);
    expect(framesOf(g, 'invocation.accepted', 'inv-dup')).toHaveLength(2);
    expect(fs.readFileSync(counter, 'utf8')).toBe('x\n');
    const [first, second] = framesOf(g, 'invocation.result', 'inv-dup');
    expect(second).toEqual(first);
  });

  it('re-sends an unacknowledged result after reconnecting, and forgets it once acknowledged', async () => {
    const g = await gateway();
    const stateDir = tempStateDir();
    const node = await agent(g, stateDir);
    sendTo(g, node.instanceId, start('inv-ack', [['echo hi']]));
    await resultOf(g, 'inv-ack');
    g.sockets.get(node.instanceId)!.terminate();
    await eventually('re-sent after reconnect', () => framesOf(g, 'invocation.result', 'inv-ack').length === 2);
    expect(fs.readdirSync(path.join(stateDir, 'invocations'))).toEqual(['inv-ack.json']);
    sendTo(g, node.instanceId, { type: 'invocation.result.ack', invocationId: 'inv-ack' });
    await eventually('record removed', () => fs.readdirSync(path.join(stateDir, 'invocations')).length === 0);
    const welcomes = g.welcomes;
    g.sockets.get(node.instanceId)!.terminate();
    await eventually('reconnected', () => g.welcomes > welcomes && g.sockets.has(node.instanceId));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(framesOf(g, 'invocation.result', 'inv-ack')).toHaveLength(2);
  });

  it('after a restart mid-command reports Failed once; env values never reach the state dir or the log', async () => {
    const g = await gateway();
    const stateDir = tempStateDir();
    const secret = 'hunter2-' + Math.random().toString(36).slice(2);
    const lines: string[] = [];
    const first = await agent(g, stateDir, lines);
    const frame = start('inv-restart', [['sleep 300 &', 'echo "bg=$!"', 'sleep 300']]);
    (frame.steps[0] as Record<string, unknown>).env = { SSM_password: secret };
    sendTo(g, first.instanceId, frame);
    await eventually('running', () => framesOf(g, 'invocation.output', 'inv-restart').length > 0);
    const bg = Number(/bg=(\d+)/.exec(framesOf(g, 'invocation.output', 'inv-restart').map((f) => f.data).join(''))![1]);
    const record = path.join(stateDir, 'invocations', 'inv-restart.json');
    expect(fs.statSync(record).mode & 0o777).toBe(0o600);
    expect(stateDirText(stateDir)).not.toContain(secret);
    await first.stop();
    expect(processIsAlive(bg)).toBe(false);
    expect(framesOf(g, 'invocation.result', 'inv-restart')).toHaveLength(0);

    const second = await agent(g, stateDir, lines);
    const result = await resultOf(g, 'inv-restart');
    expect(result).toMatchObject({ status: 'Failed', message: AGENT_RESTARTED_MESSAGE, steps: [] });
    sendTo(g, second.instanceId, { type: 'invocation.result.ack', invocationId: 'inv-restart' });
    await eventually('record removed', () => !fs.existsSync(record));
    await second.stop();
    await agent(g, stateDir, lines);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(framesOf(g, 'invocation.result', 'inv-restart')).toHaveLength(1);
    expect(stateDirText(stateDir)).not.toContain(secret);
    expect(lines.join('')).not.toContain(secret);
  });

  it('chunks without splitting surrogate pairs', () => {
    expect(chunks('ab😀cd', 3)).toEqual(['ab', '😀c', 'd']);
    expect(chunks('', 3)).toEqual([]);
  });
});
