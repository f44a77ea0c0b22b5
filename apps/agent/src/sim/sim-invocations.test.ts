import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AGENT_FEATURES,
  AGENT_PROTOCOL_VERSION,
  agentFrameSchema,
  evaluateBaseline,
  parseFrame,
  PATCH_REPORT_KIND,
  patchReportSchema,
  type AgentFrame,
  type PatchBaselineRules,
} from '@tend/protocol';
import { FrameHandlers } from '../frame-handlers.js';
import { eventually } from '../testing/eventually.js';
import { startFakeGateway, type FakeGateway } from '../testing/fake-gateway.js';
import { SIM_OUTPUT_PREFIX, SimInvocations, type SimCommandOptions } from './sim-invocations.js';
import { runSimulator } from './simulator.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A fake server; `speaksRunCommand: false` is one that predates the invocation frames. */
async function gateway(speaksRunCommand = true): Promise<FakeGateway> {
  const g = await startFakeGateway();
  if (speaksRunCommand) g.features = [AGENT_FEATURES.invocations];
  cleanups.push(() => g.close());
  return g;
}

/** A simulated fleet of `nodes` on `g`; resolves once all are connected. */
async function fleet(g: FakeGateway, nodes: number, commands: SimCommandOptions = {}, platforms?: string[]) {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-sim-inv-'));
  const controller = new AbortController();
  const done = runSimulator({
    serverUrl: g.url,
    activations: [{ id: 'act-1', code: 'code-1' }],
    nodes,
    stateDir,
    concurrency: 10,
    signal: controller.signal,
    backoff: { baseMs: 50, capMs: 200 },
    commands: { stepDelayMs: 10, ...commands },
    ...(platforms ? { platforms } : {}),
  });
  const stop = async () => {
    controller.abort();
    await done.catch(() => {});
  };
  cleanups.push(() => fs.rmSync(stateDir, { recursive: true, force: true }), stop);
  await eventually(`${nodes} online`, () => g.sockets.size === nodes);
  return { ids: [...g.sockets.keys()].sort(), stop };
}

const sendTo = (g: FakeGateway, instanceId: string, frame: Record<string, unknown>) =>
  g.sockets.get(instanceId)!.send(JSON.stringify({ v: AGENT_PROTOCOL_VERSION, ...frame }));

function start(invocationId: string, commands: string[][], extra: Record<string, unknown> = {}) {
  return {
    type: 'invocation.start',
    invocationId,
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

async function resultOf(g: FakeGateway, invocationId: string) {
  await eventually(`result of ${invocationId}`, () => framesOf(g, 'invocation.result', invocationId).length > 0);
  return framesOf(g, 'invocation.result', invocationId)[0]!;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('simulated Run Command', () => {
  it('asks for pending work after every welcome that lists the feature, and volunteers nothing otherwise', async () => {
    const g = await gateway();
    const { ids } = await fleet(g, 3);
    await eventually('a pending.request per node', () => framesOf(g, 'pending.request').length === 3);
    expect(new Set(g.frames.filter((f) => f.frame.type === 'pending.request').map((f) => f.instanceId))).toEqual(new Set(ids));
    g.sockets.get(ids[0]!)!.terminate();
    await eventually('asked again after reconnecting', () => framesOf(g, 'pending.request').length === 4);

    const old = await gateway(false);
    await fleet(old, 2);
    await pause(200);
    expect(old.frames.map((f) => f.frame.type)).toEqual(['auth', 'auth']);
  });

  it('answers each node with accepted, one line of output per command and Success, running nothing', async () => {
    const g = await gateway();
    const { ids } = await fleet(g, 5);
    const marker = path.join(os.tmpdir(), `tend-sim-never-${process.pid}`);
    for (const id of ids) sendTo(g, id, start(`cmd-1.${id}`, [[`touch ${marker}`, 'uptime'], ['echo done']], { outputChunkChars: 256 }));
    for (const id of ids) {
      const result = await resultOf(g, `cmd-1.${id}`);
      expect(result).toMatchObject({ status: 'Success', responseCode: 0 });
      expect(result.steps.map((s) => [s.name, s.status, s.stdout])).toEqual([
        ['step0', 'Success', `${SIM_OUTPUT_PREFIX} would run: touch ${marker}\n${SIM_OUTPUT_PREFIX} would run: uptime\n`],
        ['step1', 'Success', `${SIM_OUTPUT_PREFIX} would run: echo done\n`],
      ]);
      expect(framesOf(g, 'invocation.accepted', `cmd-1.${id}`)).toHaveLength(1);
      // The frames come from the node they are about, not from whichever node spoke last.
      expect(g.frames.filter((f) => (f.frame as { invocationId?: string }).invocationId === `cmd-1.${id}`).every((f) => f.instanceId === id)).toBe(true);
      const output = framesOf(g, 'invocation.output', `cmd-1.${id}`);
      expect(output.map((f) => f.seq)).toEqual(output.map((_, i) => i));
    }
    expect(fs.existsSync(marker)).toBe(false);
    for (const { frame } of g.frames) expect(parseFrame(agentFrameSchema, JSON.stringify(frame))).toBeDefined();
  });

  it('splits long output into chunks of the size the server asked for', async () => {
    const g = await gateway();
    const [id] = (await fleet(g, 1)).ids;
    const long = 'x'.repeat(700);
    sendTo(g, id!, start('inv-long', [[long]], { outputChunkChars: 256 }));
    const result = await resultOf(g, 'inv-long');
    const output = framesOf(g, 'invocation.output', 'inv-long');
    expect(output.every((f) => f.data.length <= 256)).toBe(true);
    expect(output.map((f) => f.data).join('')).toBe(result.steps[0]!.stdout);
  });

  it('fails the --fail-rate share of nodes with exit code 1, the same nodes every time, and unknown actions', async () => {
    const g = await gateway();
    const { ids } = await fleet(g, 20, { failRate: 0.5 });
    const judge = new SimInvocations({ failRate: 0.5, signal: new AbortController().signal });
    const expectedFailing = ids.filter((id) => judge.fails(id));
    // A fair draw from 20 ids at 0.5 is neither none nor all.
    expect(expectedFailing.length).toBeGreaterThan(0);
    expect(expectedFailing.length).toBeLessThan(20);
    for (const id of ids) sendTo(g, id, start(`c.${id}`, [['true'], ['echo never']]));
    for (const id of ids) {
      const result = await resultOf(g, `c.${id}`);
      if (expectedFailing.includes(id)) {
        expect(result).toMatchObject({ status: 'Failed', responseCode: 1 });
        expect(result.steps).toHaveLength(1);
        expect(result.steps[0]!.stderr).toMatch(/simulated failure/);
      } else {
        expect(result).toMatchObject({ status: 'Success', responseCode: 0 });
      }
    }

    sendTo(g, ids[0]!, { ...start('c-other', [['true']]), steps: [{ name: 'inventory', action: 'aws:softwareInventory', inputs: {} }] });
    const other = await resultOf(g, 'c-other');
    expect(other).toMatchObject({ status: 'Failed', responseCode: 1 });
    expect(other.steps[0]!.stderr).toMatch(/Unknown plugin action "aws:softwareInventory"/);
  });

  it('runs aws:runPatchBaseline on each node\'s simulated packages: Scan reports what is missing, Install installs it, reboots, and it stays installed', async () => {
    const g = await gateway();
    const { ids } = await fleet(g, 6, {}, ['debian-12']);
    const everything: PatchBaselineRules = {
      OperatingSystem: 'DEBIAN',
      ApprovalRules: { PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: 'PRIORITY', Values: ['*'] }] }, ApproveAfterDays: 0, EnableNonSecurity: true }] },
    };
    const patch = async (invocationId: string, id: string, inputs: Record<string, unknown>) => {
      sendTo(g, id, {
        ...start(invocationId, [['true']]),
        documentName: 'AWS-RunPatchBaseline',
        steps: [{ name: 'PatchBaseline', action: 'aws:runPatchBaseline', inputs: { SnapshotId: '', InstallOverrideList: '', BaselineOverride: JSON.stringify(everything), ...inputs } }],
      });
      const result = await resultOf(g, invocationId);
      expect(result, result.steps[0]?.stderr).toMatchObject({ status: 'Success', responseCode: 0 });
      const report = patchReportSchema.parse(result.reports?.[0]?.data);
      expect(result.reports?.[0]).toMatchObject({ step: 'PatchBaseline', kind: PATCH_REPORT_KIND });
      return { result, report, counts: evaluateBaseline(report.facts, report.baseline, { now: Date.now(), detail: 'none' }).counts };
    };

    const scans = await Promise.all(ids.map((id) => patch(`scan.${id}`, id, { Operation: 'Scan' })));
    for (const { result, report } of scans) {
      expect(report).toMatchObject({ operation: 'Scan', override: true, facts: { operatingSystem: 'DEBIAN', product: 'Debian12' } });
      expect(result.steps[0]!.stdout).toContain(`${SIM_OUTPUT_PREFIX} Patch summary (Scan`);
    }
    // Nodes were last patched days to months ago: across six, some are behind.
    const behind = ids.filter((_, i) => scans[i]!.counts.MissingCount > 0);
    expect(behind.length).toBeGreaterThan(0);

    const id = behind[0]!;
    const install = await patch(`install.${id}`, id, { Operation: 'Install', RebootOption: 'RebootIfNeeded' });
    expect(install.report.installed.length).toBe(scans[ids.indexOf(id)]!.counts.MissingCount);
    expect(install.counts).toMatchObject({ MissingCount: 0, FailedCount: 0, InstalledPendingRebootCount: 0 });
    expect(install.report.facts.reboot?.required).toBe(false);
    // The node keeps what was installed: the next scan finds nothing missing.
    const rescan = await patch(`rescan.${id}`, id, { Operation: 'Scan' });
    expect(rescan.counts.MissingCount).toBe(0);
  });

  it('cancel stops a running step with Cancelled and code 137; a late cancel gets the result again', async () => {
    const g = await gateway();
    const [id] = (await fleet(g, 1)).ids;
    sendTo(g, id!, start('inv-cancel', [['echo a', 'sleep 300'], ['echo never']]));
    await eventually('output', () => framesOf(g, 'invocation.output', 'inv-cancel').length > 0);
    sendTo(g, id!, { type: 'invocation.cancel', invocationId: 'inv-cancel' });
    const result = await resultOf(g, 'inv-cancel');
    expect(result).toMatchObject({ status: 'Cancelled', responseCode: 137 });
    expect(result.steps.map((s) => s.status)).toEqual(['Cancelled']);
    sendTo(g, id!, { type: 'invocation.cancel', invocationId: 'inv-cancel' });
    await eventually('result re-sent', () => framesOf(g, 'invocation.result', 'inv-cancel').length === 2);
  });

  it('reports TimedOut at the execution deadline', async () => {
    const g = await gateway();
    const [id] = (await fleet(g, 1)).ids;
    const started = Date.now();
    sendTo(g, id!, start('inv-late', [['sleep 300'], ['echo never']], { executionDeadline: Date.now() + 300 }));
    const result = await resultOf(g, 'inv-late');
    expect(result).toMatchObject({ status: 'TimedOut', responseCode: 137 });
    expect(result.steps.map((s) => s.status)).toEqual(['TimedOut']);
    expect(Date.now() - started).toBeLessThan(3_000);

    sendTo(g, id!, start('inv-past', [['true']], { executionDeadline: Date.now() - 1 }));
    expect(await resultOf(g, 'inv-past')).toMatchObject({ status: 'TimedOut', steps: [], message: expect.stringMatching(/deadline passed before step step0/) });
  });

  it('answers a duplicate start without running it twice', async () => {
    const g = await gateway();
    const [id] = (await fleet(g, 1)).ids;
    const frame = start('inv-dup', [['sleep 0.3']]);
    sendTo(g, id!, frame);
    sendTo(g, id!, frame); // while running
    await eventually('two accepted', () => framesOf(g, 'invocation.accepted', 'inv-dup').length === 2);
    await resultOf(g, 'inv-dup');
    sendTo(g, id!, frame); // once finished
    await eventually('result re-sent', () => framesOf(g, 'invocation.result', 'inv-dup').length === 2);
    const [first, second] = framesOf(g, 'invocation.result', 'inv-dup');
    expect(second).toEqual(first);
    expect(framesOf(g, 'invocation.accepted', 'inv-dup')).toHaveLength(2);
    // One run: one set of output frames.
    expect(framesOf(g, 'invocation.output', 'inv-dup')).toHaveLength(1);
  });

  it('re-sends an unacknowledged result after reconnecting, and stops once it is acknowledged', async () => {
    const g = await gateway();
    const [id] = (await fleet(g, 1)).ids;
    sendTo(g, id!, start('inv-ack', [['true']]));
    await resultOf(g, 'inv-ack');
    g.sockets.get(id!)!.terminate();
    await eventually('re-sent after reconnecting', () => framesOf(g, 'invocation.result', 'inv-ack').length === 2);
    // Asked for pending work first, then offered the result, as the real agent does.
    const afterSecondWelcome = g.frames.filter((f) => f.instanceId === id).map((f) => f.frame.type).slice(-3);
    expect(afterSecondWelcome).toEqual(['auth', 'pending.request', 'invocation.result']);
    sendTo(g, id!, { type: 'invocation.result.ack', invocationId: 'inv-ack' });
    await pause(100);
    const welcomes = g.welcomes;
    g.sockets.get(id!)!.terminate();
    await eventually('reconnected', () => g.welcomes > welcomes && g.sockets.has(id!));
    await pause(200);
    expect(framesOf(g, 'invocation.result', 'inv-ack')).toHaveLength(2);
  });

  it('remembers only the latest acknowledged results of a node', async () => {
    const g = await gateway();
    const [id] = (await fleet(g, 1, { rememberAcknowledged: 1 })).ids;
    for (const invocationId of ['inv-old', 'inv-new']) {
      sendTo(g, id!, start(invocationId, [['true']]));
      await resultOf(g, invocationId);
      sendTo(g, id!, { type: 'invocation.result.ack', invocationId });
    }
    await pause(100);
    sendTo(g, id!, start('inv-new', [['true']]));
    await eventually('stored result re-sent', () => framesOf(g, 'invocation.result', 'inv-new').length === 2);
    expect(framesOf(g, 'invocation.output', 'inv-new')).toHaveLength(1);
    // Forgotten: a duplicate this late runs again, as the real agent does past its own limit.
    sendTo(g, id!, start('inv-old', [['true']]));
    await eventually('run again', () => framesOf(g, 'invocation.output', 'inv-old').length === 2);
  });

  it('a result finished while the server was down goes to the restarted server', async () => {
    const g = await gateway();
    const [id] = (await fleet(g, 1)).ids;
    sendTo(g, id!, start('inv-gap', [['sleep 0.2']]));
    await eventually('accepted', () => framesOf(g, 'invocation.accepted', 'inv-gap').length === 1);
    await g.close();
    await pause(400);
    const restarted = await startFakeGateway({ port: g.port, keys: g.keys });
    restarted.features = [AGENT_FEATURES.invocations];
    cleanups.push(() => restarted.close());
    expect(await resultOf(restarted, 'inv-gap')).toMatchObject({ status: 'Success' });
    expect(framesOf(g, 'invocation.result', 'inv-gap')).toHaveLength(0);
  });

  it('stopping the simulator drops running invocations without a result', async () => {
    const g = await gateway();
    const sim = await fleet(g, 1);
    sendTo(g, sim.ids[0]!, start('inv-stop', [['sleep 0.3']]));
    await eventually('accepted', () => framesOf(g, 'invocation.accepted', 'inv-stop').length === 1);
    await sim.stop();
    await pause(400);
    expect(framesOf(g, 'invocation.result', 'inv-stop')).toHaveLength(0);
  });

  it('refuses a fail rate outside 0–1 and a handler registered twice', () => {
    const signal = new AbortController().signal;
    expect(() => new SimInvocations({ failRate: 1.5, signal })).toThrow(/failRate/);
    const handlers = new FrameHandlers();
    new SimInvocations({ signal }).register(handlers);
    expect(() => new SimInvocations({ signal }).register(handlers)).toThrow(/already registered/);
  });
});
