import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CancelCommandCommand, GetCommandInvocationCommand, ListCommandsCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase, startTestServer, type TestServer } from '../../testing/test-server.js';
import { finished, getCommand, invocationsOf, processAlive, runShell, startFleet, until, type TestFleet } from './run-command-test-support.js';

/**
 * Run Command end to end with real agents running real shells: outcomes,
 * output limits, timeouts, cancel, rate control and error thresholds.
 */
describeEachDatabase('Run Command with real agents', (dialect) => {
  let t: TestServer;
  let fleet: TestFleet;
  let scratch: string;
  /** Added to the server's clock, to reach delivery deadlines without waiting (SigV4 allows 15 minutes of skew). */
  let clockOffsetMs = 0;

  beforeAll(async () => {
    t = await startTestServer(dialect, { clock: () => new Date(Date.now() + clockOffsetMs) });
    fleet = await startFleet(t, 5, { tags: (i) => ({ Role: i < 2 ? 'web' : 'worker' }) });
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-rc-scratch-'));
  }, 60_000);
  afterAll(async () => {
    await fleet?.stopAll();
    await t?.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('runs a script on two nodes: Success, output inline and in full, counters', async () => {
    const [a, b] = fleet.ids;
    // 30,000 characters of stdout: more than either inline view holds.
    const id = await runShell(t, { InstanceIds: [a!, b!] }, ['echo "node $(pwd)"', "head -c 30000 /dev/zero | tr '\\0' x", 'echo', 'echo warn >&2'], {
      Comment: 'two nodes',
      Parameters: { workingDirectory: [scratch] },
    });
    const command = await finished(t, id);
    expect(command).toMatchObject({ Status: 'Success', StatusDetails: 'Success', TargetCount: 2, CompletedCount: 2, ErrorCount: 0, DeliveryTimedOutCount: 0, Comment: 'two nodes' });

    const invocation = await t.ssm.send(new GetCommandInvocationCommand({ CommandId: id, InstanceId: a! }));
    expect(invocation).toMatchObject({ Status: 'Success', StatusDetails: 'Success', ResponseCode: 0, PluginName: 'runShellScript', DocumentName: 'AWS-RunShellScript' });
    expect(invocation.StandardOutputContent!.startsWith(`node ${scratch}\n`)).toBe(true);
    expect(invocation.StandardOutputContent).toHaveLength(24_000);
    expect(invocation.StandardErrorContent).toBe('warn\n');

    const listed = (await invocationsOf(t, id)).get(b!)!;
    expect(listed.CommandPlugins).toHaveLength(1);
    expect(listed.CommandPlugins![0]!.Output).toHaveLength(2_500);
    expect(listed.InstanceName).not.toBe('');

    // The whole stdout through Tend.GetCommandOutput, read in slices as a follower would.
    let text = '';
    let offset = 0;
    for (;;) {
      const slice = await t.api.tend('GetCommandOutput', { CommandId: id, InstanceId: a, Offset: offset, MaxBytes: 7_000 });
      text += slice.Content;
      offset = slice.NextOffset;
      if (slice.Complete) break;
    }
    expect(text).toBe(`node ${scratch}\n${'x'.repeat(30_000)}\n`);
    const stderr = await t.api.tend('GetCommandOutput', { CommandId: id, InstanceId: a, Stream: 'Stderr' });
    expect(stderr).toMatchObject({ Content: 'warn\n', Complete: true, PluginName: 'runShellScript' });
  });

  it('serves the output kept in the database when the output file is not on this server, never splitting a character', async () => {
    const id = await runShell(t, { InstanceIds: [fleet.ids[2]!] }, ['echo héllo']);
    await finished(t, id);
    fs.rmSync(path.join(t.dataDir, 'command-output', id), { recursive: true, force: true });
    const first = await t.api.tend('GetCommandOutput', { CommandId: id, InstanceId: fleet.ids[2], MaxBytes: 2 });
    // "é" is two bytes: a slice of two from the start stops before it.
    expect(first).toMatchObject({ Content: 'h', Offset: 0, NextOffset: 1, TotalBytes: 7, Complete: false });
    const rest = await t.api.tend('GetCommandOutput', { CommandId: id, InstanceId: fleet.ids[2], Offset: 1 });
    expect(rest).toMatchObject({ Content: 'éllo\n', NextOffset: 7, Complete: true });
  });

  it('reports a non-zero exit as Failed with its code, and the command as Failed', async () => {
    const id = await runShell(t, { InstanceIds: [fleet.ids[0]!] }, ['echo before', 'exit 3']);
    const command = await finished(t, id);
    expect(command).toMatchObject({ Status: 'Failed', StatusDetails: 'Failed', ErrorCount: 1, CompletedCount: 1 });
    const invocation = await t.ssm.send(new GetCommandInvocationCommand({ CommandId: id, InstanceId: fleet.ids[0]! }));
    expect(invocation).toMatchObject({ Status: 'Failed', StatusDetails: 'Failed', ResponseCode: 3, StandardOutputContent: 'before\n' });
  });

  it('stops a script at its executionTimeout, with every process it started', async () => {
    const pidFile = path.join(scratch, 'timeout.pid');
    const id = await runShell(t, { InstanceIds: [fleet.ids[1]!] }, [`sleep 60 & echo $! > ${pidFile}; wait`], { Parameters: { executionTimeout: ['2'] } });
    const command = await finished(t, id);
    expect(command).toMatchObject({ Status: 'TimedOut', StatusDetails: 'Execution Timed Out', ErrorCount: 1 });
    const invocation = (await invocationsOf(t, id)).get(fleet.ids[1]!)!;
    expect(invocation).toMatchObject({ Status: 'TimedOut', StatusDetails: 'Execution Timed Out' });
    const child = Number(fs.readFileSync(pidFile, 'utf8'));
    await until(() => !processAlive(child), 5_000, 'background sleep killed');
  });

  it('cancels a running invocation (its process tree is killed) and the queued ones', async () => {
    const pidFile = path.join(scratch, 'cancel.pid');
    // MaxConcurrency 1: the first node runs, the other two wait in the queue.
    const id = await runShell(t, { InstanceIds: fleet.ids.slice(2, 5) }, [`sleep 60 & echo $! > ${pidFile}; wait`], { MaxConcurrency: '1' });
    await until(() => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').trim() !== '', 10_000, 'script started');
    await t.ssm.send(new CancelCommandCommand({ CommandId: id }));
    const command = await finished(t, id);
    expect(command).toMatchObject({ Status: 'Cancelled', StatusDetails: 'Cancelled', CompletedCount: 3, ErrorCount: 0 });
    const statuses = [...(await invocationsOf(t, id)).values()].map((inv) => inv.Status);
    expect(statuses).toEqual(['Cancelled', 'Cancelled', 'Cancelled']);
    await until(() => !processAlive(Number(fs.readFileSync(pidFile, 'utf8'))), 5_000, 'cancelled script killed');
  });

  it('never runs more than MaxConcurrency at once (a percentage of the targets)', async () => {
    const log = path.join(scratch, 'overlap.log');
    // 40% of 5 targets: 2 at a time. Each run records its start and end on one shared file.
    const id = await runShell(t, { Targets: [{ Key: 'tag:Role', Values: ['web', 'worker'] }] }, [`echo "start $(date +%s%N)" >> ${log}`, 'sleep 0.4', `echo "end $(date +%s%N)" >> ${log}`], {
      MaxConcurrency: '40%',
    });
    const command = await finished(t, id);
    expect(command).toMatchObject({ Status: 'Success', TargetCount: 5, CompletedCount: 5, MaxConcurrency: '40%' });
    const events = fs
      .readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(' '))
      .map(([kind, at]) => ({ kind: kind!, at: BigInt(at!) }))
      .sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0));
    let running = 0;
    let peak = 0;
    for (const e of events) {
      running += e.kind === 'start' ? 1 : -1;
      peak = Math.max(peak, running);
    }
    expect(events).toHaveLength(10);
    expect(peak).toBeLessThanOrEqual(2);
  });

  it('stops starting new invocations once errors exceed MaxErrors: the rest end Terminated', async () => {
    // 20% of 5 = 1 error allowed; one at a time, every run fails: the 2nd failure crosses the threshold.
    const id = await runShell(t, { InstanceIds: fleet.ids }, ['exit 1'], { MaxConcurrency: '1', MaxErrors: '20%' });
    const command = await finished(t, id);
    expect(command).toMatchObject({ Status: 'Failed', StatusDetails: 'Failed', TargetCount: 5, CompletedCount: 5, ErrorCount: 2 });
    const details = [...(await invocationsOf(t, id)).values()].map((inv) => inv.StatusDetails).sort();
    expect(details).toEqual(['Failed', 'Failed', 'Terminated', 'Terminated', 'Terminated']);
  });

  it('times out delivery to a node whose agent is down, without holding back the others; not an error', async () => {
    const down = fleet.agents[4]!;
    await down.stop();
    await until(() => !t.server.services.agents.isConnected(down.instanceId), 5_000, 'agent gone');
    const id = await runShell(t, { InstanceIds: [fleet.ids[0]!, down.instanceId] }, ['true'], { TimeoutSeconds: 30, Parameters: { executionTimeout: ['1'] } });
    await until(async () => (await getCommand(t, id)).CompletedCount === 1, 10_000, 'the live node done');
    expect((await getCommand(t, id)).Status).toBe('InProgress');
    // Past TimeoutSeconds + executionTimeout on the server's clock.
    clockOffsetMs += 40_000;
    try {
      const command = await finished(t, id);
      // More delivery timeouts than MaxErrors (0): the command says so, yet ErrorCount stays 0.
      expect(command).toMatchObject({ Status: 'TimedOut', StatusDetails: 'Delivery Timed Out', CompletedCount: 2, ErrorCount: 0, DeliveryTimedOutCount: 1 });
      expect((await invocationsOf(t, id)).get(down.instanceId)).toMatchObject({ Status: 'TimedOut', StatusDetails: 'Delivery Timed Out' });
    } finally {
      down.start();
    }
  });

  it('reports an invocation interrupted by an agent restart as Failed, once', async () => {
    const agent = fleet.agents[3]!;
    await until(() => t.server.services.agents.isConnected(agent.instanceId), 20_000, 'agent connected');
    const marker = path.join(scratch, 'restart.started');
    const id = await runShell(t, { InstanceIds: [agent.instanceId] }, [`touch ${marker}`, 'sleep 30']);
    await until(() => fs.existsSync(marker), 10_000, 'script started');
    await agent.stop();
    agent.start();
    const command = await finished(t, id);
    expect(command).toMatchObject({ Status: 'Failed', CompletedCount: 1, ErrorCount: 1 });
    const invocation = await t.ssm.send(new GetCommandInvocationCommand({ CommandId: id, InstanceId: agent.instanceId }));
    expect(invocation.Status).toBe('Failed');
    expect(invocation.StandardErrorContent).toMatch(/agent restarted/);
    const events = await t.server.services.db.selectFrom('outbox_events').select('payload').where('event_type', '=', 'invocation.status').execute();
    const mine = events.map((e) => JSON.parse(e.payload)).filter((p) => p.commandId === id && p.status === 'Failed');
    expect(mine).toHaveLength(1);
  });

  it('lists commands newest first, by node, with filters and paging', async () => {
    const first = await runShell(t, { InstanceIds: [fleet.ids[0]!] }, ['true']);
    const second = await runShell(t, { InstanceIds: [fleet.ids[1]!] }, ['true']);
    await finished(t, first);
    await finished(t, second);
    const page = await t.ssm.send(new ListCommandsCommand({ MaxResults: 1 }));
    expect(page.Commands![0]!.CommandId).toBe(second);
    const next = await t.ssm.send(new ListCommandsCommand({ MaxResults: 1, NextToken: page.NextToken }));
    expect(next.Commands![0]!.CommandId).toBe(first);
    const onNode = await t.ssm.send(new ListCommandsCommand({ InstanceId: fleet.ids[1]!, Filters: [{ key: 'Status', value: 'Success' }] }));
    expect(onNode.Commands!.map((c) => c.CommandId)).toContain(second);
    expect(onNode.Commands!.map((c) => c.CommandId)).not.toContain(first);
    await expect(t.ssm.send(new ListCommandsCommand({ CommandId: '00000000-0000-0000-0000-000000000000' }))).rejects.toMatchObject({ name: 'InvalidCommandId' });
    await expect(t.ssm.send(new GetCommandInvocationCommand({ CommandId: first, InstanceId: fleet.ids[2]! }))).rejects.toMatchObject({ name: 'InvocationDoesNotExist' });
  });
});
