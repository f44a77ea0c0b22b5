import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_FEATURES, AGENT_PROTOCOL_VERSION, type AgentFrame, type InvocationResultFrame } from '@tend/protocol';
import { FrameHandlers, type FrameContext } from '../../frame-handlers.js';
import { InvocationRunner, AGENT_RESTARTED_MESSAGE } from '../../invocations/invocation-runner.js';
import { InvocationStore } from '../../invocations/invocation-store.js';
import { silentLogger } from '../../logger.js';
import { eventually } from '../../testing/eventually.js';
import { PluginRegistry } from '../plugin.js';
import { claimOutcome, readOutcome, writeHandoff, type Handoff } from './handoff.js';
import { openUpdateTrial } from './update-trial.js';
import { updateInvocation } from './update-test-support.js';

/**
 * The new agent's side of an update, with the invocation runner's resume
 * hook, in this process: what it reports, and what it refuses to do while
 * its fate is undecided. (The processes themselves: update-agent.e2e.test.ts.)
 */
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function pendingUpdate(): Promise<{ stateDir: string; handoff: Handoff }> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-update-trial-'));
  dirs.push(stateDir);
  const handoff: Handoff = {
    v: 1,
    invocationId: 'upd-1',
    stepName: 'updateAgent',
    fromVersion: '0.1.0',
    toVersion: '0.2.0',
    bundleFile: path.join(stateDir, 'tend-agent.cjs'),
    previousFile: path.join(stateDir, 'tend-agent.previous.cjs'),
    launch: { node: process.execPath, execArgv: [], args: ['agent'], cwd: stateDir },
    supervised: false,
    agentPid: 1,
    timeoutMs: 60_000,
    output: 'Updating the agent from 0.1.0 to 0.2.0.\n',
    createdAt: Date.now(),
  };
  await writeHandoff(stateDir, handoff);
  // The old agent's in-flight record, as the runner wrote it before the plugin ran.
  await new InvocationStore(stateDir).save({
    invocationId: 'upd-1',
    commandId: 'cmd-upd-1',
    documentName: 'AWS-UpdateSSMAgent',
    stepNames: ['updateAgent'],
    startedAt: Date.now() - 1_000,
    executionDeadline: Date.now() + 600_000,
  });
  return { stateDir, handoff };
}

/** An agent process's start-up as agent.ts does it, with a connection that records what is sent. */
async function startAgent(stateDir: string, version: string) {
  const stop = new AbortController();
  const trial = await openUpdateTrial({ stateDir, version, logger: silentLogger, signal: stop.signal });
  const runner = new InvocationRunner({ stateDir, plugins: new PluginRegistry(), resume: trial?.resume });
  await runner.load();
  const handlers = new FrameHandlers();
  runner.register(handlers);
  if (trial) handlers.onOnline(() => trial.confirm());
  const sent: AgentFrame[] = [];
  const context: FrameContext = {
    instanceId: 'mi-00000000000000001',
    send: (frame) => (sent.push(frame), true),
    logger: silentLogger,
    signal: stop.signal,
    features: [AGENT_FEATURES.invocations],
  };
  const results = () => sent.filter((f): f is InvocationResultFrame => f.type === 'invocation.result');
  return { trial, runner, handlers, context, sent, results, stop: () => stop.abort() };
}

describe('an agent started by an update', () => {
  it('holds the update invocation until the server welcomes it, then reports Success and records the confirmation', async () => {
    const { stateDir } = await pendingUpdate();
    const agent = await startAgent(stateDir, '0.2.0');
    expect(agent.trial).toBeDefined();
    // Not "agent restarted": the invocation is running as far as anyone can tell.
    expect(agent.runner.running()).toEqual(['upd-1']);
    expect(agent.runner.unacknowledged()).toEqual([]);

    agent.handlers.online(agent.context);
    await eventually('the result', () => agent.results().length === 1);
    const [result] = agent.results();
    expect(result).toMatchObject({ invocationId: 'upd-1', status: 'Success', responseCode: 0 });
    expect(result!.steps).toEqual([
      { name: 'updateAgent', status: 'Success', responseCode: 0, stdout: 'Updating the agent from 0.1.0 to 0.2.0.\nUpdated the agent from 0.1.0 to 0.2.0.\n', stderr: '', outputTruncated: false },
    ]);
    expect(await readOutcome(stateDir)).toMatchObject({ outcome: 'confirmed', version: '0.2.0', pid: process.pid });
    // Stored until acknowledged, like any result.
    expect((await new InvocationStore(stateDir).list(() => {}))[0]!.result).toEqual(result);
  });

  it('answers a re-delivered start `accepted` without running the update again', async () => {
    const { stateDir } = await pendingUpdate();
    const agent = await startAgent(stateDir, '0.2.0');
    agent.handlers.dispatch('invocation.start', updateInvocation('upd-1', { targetVersion: '0.2.0' }), agent.context);
    expect(agent.sent).toEqual([{ v: AGENT_PROTOCOL_VERSION, type: 'invocation.accepted', invocationId: 'upd-1' }]);
    agent.stop();
    await agent.runner.drain();
  });

  it('after the watchdog rolled back, holds the invocation (no result, no re-run) until it is stopped, and leaves the record to the watchdog', async () => {
    const { stateDir } = await pendingUpdate();
    await claimOutcome(stateDir, { outcome: 'rolled-back', reason: 'too late', at: Date.now() });
    const agent = await startAgent(stateDir, '0.2.0');
    agent.handlers.online(agent.context);
    agent.handlers.dispatch('invocation.start', updateInvocation('upd-1', { targetVersion: '0.2.0' }), agent.context);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(agent.results()).toEqual([]);
    expect(agent.sent.filter((f) => f.type === 'invocation.accepted')).toHaveLength(1);
    expect(await readOutcome(stateDir)).toMatchObject({ outcome: 'rolled-back' });

    agent.stop();
    await agent.runner.drain();
    expect(agent.runner.running()).toEqual([]);
    expect((await new InvocationStore(stateDir).list(() => {}))[0]!.result).toBeUndefined();
  });

  it('is no trial for another version: the previous agent restored by a rollback reports what the record holds', async () => {
    const { stateDir } = await pendingUpdate();
    const agent = await startAgent(stateDir, '0.1.0');
    expect(agent.trial).toBeUndefined();
    // Without the watchdog's result in the record, the runner's usual verdict stands.
    expect(agent.runner.unacknowledged()).toMatchObject([{ invocationId: 'upd-1', status: 'Failed', message: AGENT_RESTARTED_MESSAGE }]);
  });

  it('lets only the first of the new agent and the watchdog decide', async () => {
    const { stateDir } = await pendingUpdate();
    const confirmed = { outcome: 'confirmed' as const, version: '0.2.0', pid: 42, at: 1 };
    const [first, second] = await Promise.all([claimOutcome(stateDir, confirmed), claimOutcome(stateDir, { outcome: 'rolled-back', reason: 'late', at: 2 })]);
    expect(second).toEqual(first);
    expect(await readOutcome(stateDir)).toEqual(first);
  });
});
