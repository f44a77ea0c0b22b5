import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  DeleteMaintenanceWindowCommand,
  DescribeMaintenanceWindowExecutionTaskInvocationsCommand,
  DescribeMaintenanceWindowExecutionTasksCommand,
  GetCommandInvocationCommand,
  GetMaintenanceWindowCommand,
  GetMaintenanceWindowExecutionCommand,
  GetMaintenanceWindowExecutionTaskCommand,
  GetMaintenanceWindowExecutionTaskInvocationCommand,
  CancelMaintenanceWindowExecutionCommand,
  DescribeMaintenanceWindowExecutionsCommand,
  UpdateServiceSettingCommand,
  UpdateMaintenanceWindowTaskCommand,
  type MaintenanceWindowExecutionTaskIdentity,
} from '@aws-sdk/client-ssm';
import { createTopic } from '../notifications/notification-test-support.js';
import { describeEachDatabase, type TestServer } from '../../testing/test-server.js';
import { TestClock, startClockedServer } from '../parameters/policy-test-support.js';
import { getCommand, startFleet, until, type TestFleet } from '../commands/run-command-test-support.js';
import { HOUR, createWindow, executionEnded, executionsOf, registerNodes, registerShellTask } from './maintenance-window-test-support.js';

/**
 * Maintenance windows end to end: the server's clock is moved to a
 * window's scheduled time, its durable timers fire, and its RUN_COMMAND
 * tasks become real commands run by real agents (the agent's own code,
 * running real shells), in priority order, within the cutoff.
 */
describeEachDatabase('Maintenance window executions with real agents', (dialect) => {
  const clock = new TestClock();
  let t: TestServer;
  let fleet: TestFleet;
  /** Created before any test moves the server's clock: Tend's own API is signed at real time. */
  let topic: string;

  beforeAll(async () => {
    t = await startClockedServer(dialect, clock);
    fleet = await startFleet(t, 2);
    topic = await createTopic(t, 'windows');
  }, 60_000);
  afterAll(async () => {
    await fleet?.stopAll();
    await t?.close();
  });

  /** Moves the server's clock to `at` (plus a second) and runs the timers due then. */
  async function reach(at: number): Promise<void> {
    clock.advance(at + 1_000 - clock.now());
    await t.server.timers.runDue();
  }

  const timeOf = (d: Date | undefined) => d!.getTime();

  /** When the server created the window: rate() counts from there. */
  async function createdAtOf(windowId: string): Promise<number> {
    return timeOf((await t.ssm.send(new GetMaintenanceWindowCommand({ WindowId: windowId }))).CreatedDate);
  }

  it('runs RUN_COMMAND tasks on the window targets at the scheduled time, lower priority first and equal priorities together', async () => {
    const { ssm } = t;
    const windowId = await createWindow(ssm, 'priority-window', { Schedule: 'rate(1 day)', Duration: 2, Cutoff: 1 });
    const createdAt = await createdAtOf(windowId);
    const targetId = await registerNodes(ssm, windowId, fleet.ids, 'the whole fleet');
    const first = await registerShellTask(ssm, windowId, [targetId], ['sleep 1', 'echo first {{WINDOW_ID}}'], { Priority: 1, Name: 'first' });
    const secondA = await registerShellTask(ssm, windowId, [targetId], ['echo second-a'], { Priority: 2 });
    const secondB = await registerShellTask(ssm, windowId, [targetId], ['echo second-b'], { Priority: 2 });

    expect(await executionsOf(ssm, windowId)).toEqual([]);
    await reach(createdAt + 24 * HOUR);
    const [started] = await executionsOf(ssm, windowId);
    expect(started).toMatchObject({ WindowId: windowId, Status: 'IN_PROGRESS' });

    const ended = await executionEnded(t, windowId, started!.WindowExecutionId!);
    expect(ended).toMatchObject({ Status: 'SUCCESS' });
    expect(timeOf(ended.EndTime)).toBeGreaterThanOrEqual(timeOf(ended.StartTime));

    const execution = await ssm.send(new GetMaintenanceWindowExecutionCommand({ WindowExecutionId: started!.WindowExecutionId }));
    expect(execution).toMatchObject({ WindowExecutionId: started!.WindowExecutionId, Status: 'SUCCESS' });
    expect(execution.TaskIds).toHaveLength(3);

    const { WindowExecutionTaskIdentities: tasks } = await ssm.send(new DescribeMaintenanceWindowExecutionTasksCommand({ WindowExecutionId: started!.WindowExecutionId }));
    expect(tasks!.map((x) => [x.Status, x.TaskArn, x.TaskType])).toEqual([
      ['SUCCESS', 'AWS-RunShellScript', 'RUN_COMMAND'],
      ['SUCCESS', 'AWS-RunShellScript', 'RUN_COMMAND'],
      ['SUCCESS', 'AWS-RunShellScript', 'RUN_COMMAND'],
    ]);
    const [p1, ...p2] = tasks as [MaintenanceWindowExecutionTaskIdentity, ...MaintenanceWindowExecutionTaskIdentity[]];
    // Priority 2 started only once priority 1 had ended, both of its tasks at the same check.
    for (const task of p2) expect(timeOf(task.StartTime)).toBeGreaterThanOrEqual(timeOf(p1.EndTime));
    expect(timeOf(p2[0]!.StartTime)).toBe(timeOf(p2[1]!.StartTime));

    const detail = await ssm.send(new GetMaintenanceWindowExecutionTaskCommand({ WindowExecutionId: started!.WindowExecutionId, TaskId: p1.TaskExecutionId }));
    expect(detail).toMatchObject({ TaskExecutionId: p1.TaskExecutionId, TaskArn: 'AWS-RunShellScript', Type: 'RUN_COMMAND', Priority: 1, MaxConcurrency: '10', MaxErrors: '1', Status: 'SUCCESS' });

    // One invocation per node, each the node's part of one real command.
    const { WindowExecutionTaskInvocationIdentities: invocations } = await ssm.send(
      new DescribeMaintenanceWindowExecutionTaskInvocationsCommand({ WindowExecutionId: started!.WindowExecutionId, TaskId: p1.TaskExecutionId }),
    );
    expect(invocations).toHaveLength(2);
    const commandId = invocations![0]!.ExecutionId!;
    for (const invocation of invocations!) {
      expect(invocation).toMatchObject({ TaskType: 'RUN_COMMAND', Status: 'SUCCESS', ExecutionId: commandId, WindowTargetId: targetId, OwnerInformation: 'the whole fleet' });
      expect(JSON.parse(invocation.Parameters!)).toMatchObject({ documentName: 'AWS-RunShellScript', parameters: { commands: ['sleep 1', `echo first ${windowId}`] } });
    }
    const one = await ssm.send(
      new GetMaintenanceWindowExecutionTaskInvocationCommand({ WindowExecutionId: started!.WindowExecutionId, TaskId: p1.TaskExecutionId, InvocationId: invocations![1]!.InvocationId }),
    );
    expect(one).toEqual(expect.objectContaining({ ...invocations![1], StartTime: expect.any(Date), EndTime: expect.any(Date) }));
    const command = await getCommand(t, commandId);
    expect(command).toMatchObject({ Status: 'Success', TargetCount: 2, CompletedCount: 2, MaxConcurrency: '10', MaxErrors: '1' });
    const output = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: fleet.ids[0]! }));
    expect(output.StandardOutputContent).toBe(`first ${windowId}\n`);

    // Each status change is an outbox event, for notifications and the console.
    const events = await t.server.services.db.selectFrom('outbox_events').select('payload').where('event_type', '=', 'window.execution.status').orderBy('id').execute();
    expect(events.map((e) => JSON.parse(e.payload)).filter((e) => e.windowId === windowId)).toEqual([
      { windowId, windowExecutionId: started!.WindowExecutionId, status: 'IN_PROGRESS' },
      { windowId, windowExecutionId: started!.WindowExecutionId, status: 'SUCCESS' },
    ]);

    // The run timer moved on to the next day.
    const timer = await t.server.services.db.selectFrom('durable_timers').select('due_at').where('timer_key', '=', `maintenance-window:${windowId}`).executeTakeFirstOrThrow();
    expect(Number(timer.due_at)).toBe(createdAt + 48 * HOUR);
    expect((await ssm.send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId: windowId, Filters: [{ Key: 'ExecutionStatus', Values: ['SUCCESS'] }] }))).WindowExecutions).toHaveLength(1);
    expect((await ssm.send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId: windowId, Filters: [{ Key: 'ExecutionStatus', Values: ['FAILED'] }] }))).WindowExecutions).toHaveLength(0);
    expect(new Set([first, secondA, secondB]).size).toBe(3);
    // Daily: it would run again as later tests move the clock.
    await ssm.send(new DeleteMaintenanceWindowCommand({ WindowId: windowId }));
  });

  it('skips a run while the previous execution still runs, and cancels CANCEL_TASK tasks at the cutoff (TIMED_OUT)', async () => {
    const { ssm } = t;
    const windowId = await createWindow(ssm, 'overlapping-window', { Schedule: 'rate(1 hour)', Duration: 2, Cutoff: 1 });
    const createdAt = await createdAtOf(windowId);
    const targetId = await registerNodes(ssm, windowId, [fleet.ids[0]!]);
    await registerShellTask(ssm, windowId, [targetId], ['sleep 60'], { Priority: 1, CutoffBehavior: 'CANCEL_TASK' });
    await registerShellTask(ssm, windowId, [targetId], ['echo never'], { Priority: 2 });

    await reach(createdAt + HOUR);
    const [running] = await executionsOf(ssm, windowId);
    // The long task is running on the node.
    const sleeping = await until(async () => {
      const { WindowExecutionTaskIdentities: tasks } = await ssm.send(new DescribeMaintenanceWindowExecutionTasksCommand({ WindowExecutionId: running!.WindowExecutionId }));
      const task = tasks!.find((x) => x.Status === 'IN_PROGRESS');
      if (!task) return undefined;
      const { WindowExecutionTaskInvocationIdentities: invocations } = await ssm.send(
        new DescribeMaintenanceWindowExecutionTaskInvocationsCommand({ WindowExecutionId: running!.WindowExecutionId, TaskId: task.TaskExecutionId }),
      );
      return invocations?.[0]?.Status === 'IN_PROGRESS' ? invocations[0] : undefined;
    }, 20_000, 'the first task running');

    // The next hour comes while it runs (and with it the cutoff of the first run).
    await reach(createdAt + 2 * HOUR);
    const executions = await executionsOf(ssm, windowId);
    expect(executions).toHaveLength(2);
    const skipped = executions.find((e) => e.WindowExecutionId !== running!.WindowExecutionId)!;
    expect(skipped).toMatchObject({ Status: 'SKIPPED_OVERLAPPING', StatusDetails: expect.stringContaining(running!.WindowExecutionId!) });
    expect(skipped.EndTime).toBeDefined();

    const ended = await executionEnded(t, windowId, running!.WindowExecutionId!);
    expect(ended.Status).toBe('TIMED_OUT');
    const { WindowExecutionTaskIdentities: tasks } = await ssm.send(new DescribeMaintenanceWindowExecutionTasksCommand({ WindowExecutionId: running!.WindowExecutionId }));
    expect(tasks!.map((x) => x.Status)).toEqual(['TIMED_OUT', 'TIMED_OUT']);
    expect(tasks![1]!.StatusDetails).toBe("The task did not start before the window's cutoff");
    expect(tasks![1]!.StartTime).toBeUndefined();
    // The command itself was cancelled, as CancelCommand would.
    expect(await getCommand(t, sleeping.ExecutionId!)).toMatchObject({ Status: 'Cancelled' });
    const skippedFilter = await ssm.send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId: windowId, Filters: [{ Key: 'ExecutionStatus', Values: ['SKIPPED_OVERLAPPING'] }] }));
    expect(skippedFilter.WindowExecutions!.map((e) => e.WindowExecutionId)).toEqual([skipped.WindowExecutionId]);
    // Hourly: it would run again as the next test moves the clock.
    await ssm.send(new DeleteMaintenanceWindowCommand({ WindowId: windowId }));
  });

  it('lets CONTINUE_TASK tasks run past the cutoff, and ends the execution TIMED_OUT when the window closes first', async () => {
    const { ssm } = t;
    const windowId = await createWindow(ssm, 'closing-window', { Schedule: `at(${new Date(clock.now() + 3 * HOUR).toISOString().slice(0, 19)})`, Duration: 2, Cutoff: 1 });
    const runAt = Date.parse(new Date(clock.now() + 3 * HOUR).toISOString().slice(0, 19) + 'Z');
    const targetId = await registerNodes(ssm, windowId, [fleet.ids[1]!]);
    await registerShellTask(ssm, windowId, [targetId], ['sleep 60'], { Priority: 1 });

    await reach(runAt);
    const [running] = await executionsOf(ssm, windowId);
    // Running on the node, not only IN_PROGRESS: a task is that a moment before its command exists,
    // and one still without a command at the cutoff has not started (TIMED_OUT).
    await until(async () => {
      const { WindowExecutionTaskIdentities: tasks } = await ssm.send(new DescribeMaintenanceWindowExecutionTasksCommand({ WindowExecutionId: running!.WindowExecutionId }));
      if (tasks?.[0]?.Status !== 'IN_PROGRESS') return false;
      const { WindowExecutionTaskInvocationIdentities: invocations } = await ssm.send(
        new DescribeMaintenanceWindowExecutionTaskInvocationsCommand({ WindowExecutionId: running!.WindowExecutionId, TaskId: tasks[0].TaskExecutionId }),
      );
      return invocations?.[0]?.Status === 'IN_PROGRESS';
    }, 20_000, 'the task running on its node');

    // Past the cutoff it goes on.
    await reach(runAt + HOUR);
    await t.server.timers.runDue();
    expect((await executionsOf(ssm, windowId))[0]!.Status).toBe('IN_PROGRESS');

    // At the end of the window the execution is over, the task TIMED_OUT.
    await reach(runAt + 2 * HOUR);
    const ended = await executionEnded(t, windowId, running!.WindowExecutionId!);
    expect(ended.Status).toBe('TIMED_OUT');
    const { WindowExecutionTaskIdentities: tasks } = await ssm.send(new DescribeMaintenanceWindowExecutionTasksCommand({ WindowExecutionId: running!.WindowExecutionId }));
    expect(tasks![0]).toMatchObject({ Status: 'TIMED_OUT', StatusDetails: 'The task was still running when the window closed' });
    // An at() window runs once: no timer is left.
    const timers = await t.server.services.db.selectFrom('durable_timers').select('timer_key').where('timer_key', '=', `maintenance-window:${windowId}`).execute();
    expect(timers).toEqual([]);
  });
  it('cancels a running execution: its command is cancelled, tasks not started never start, and it ends CANCELLED', async () => {
    const { ssm } = t;
    const windowId = await createWindow(ssm, 'cancelled-window', { Schedule: 'rate(7 days)', Duration: 4, Cutoff: 1 });
    const createdAt = await createdAtOf(windowId);
    const targetId = await registerNodes(ssm, windowId, [fleet.ids[0]!]);
    await registerShellTask(ssm, windowId, [targetId], ['sleep 60'], { Priority: 1 });
    await registerShellTask(ssm, windowId, [targetId], ['echo never'], { Priority: 2 });
    await reach(createdAt + 7 * 24 * HOUR);
    const [running] = await executionsOf(ssm, windowId);
    const commandId = await until(async () => {
      const { WindowExecutionTaskIdentities: tasks } = await ssm.send(new DescribeMaintenanceWindowExecutionTasksCommand({ WindowExecutionId: running!.WindowExecutionId }));
      const task = tasks!.find((x) => x.Status === 'IN_PROGRESS');
      if (!task) return undefined;
      const { WindowExecutionTaskInvocationIdentities: invocations } = await ssm.send(
        new DescribeMaintenanceWindowExecutionTaskInvocationsCommand({ WindowExecutionId: running!.WindowExecutionId, TaskId: task.TaskExecutionId }),
      );
      return invocations?.[0]?.Status === 'IN_PROGRESS' ? invocations[0].ExecutionId : undefined;
    }, 20_000, 'the first task running');

    expect(await ssm.send(new CancelMaintenanceWindowExecutionCommand({ WindowExecutionId: running!.WindowExecutionId }))).toMatchObject({ WindowExecutionId: running!.WindowExecutionId });
    const ended = await executionEnded(t, windowId, running!.WindowExecutionId!);
    expect(ended.Status).toBe('CANCELLED');
    const { WindowExecutionTaskIdentities: tasks } = await ssm.send(new DescribeMaintenanceWindowExecutionTasksCommand({ WindowExecutionId: running!.WindowExecutionId }));
    expect(tasks!.map((x) => x.Status)).toEqual(['CANCELLED', 'CANCELLED']);
    expect(await getCommand(t, commandId!)).toMatchObject({ Status: 'Cancelled' });
    // Only one command ran: the second task never started.
    expect(tasks![1]!.StartTime).toBeUndefined();
  });

  it('tells the maintenance windows topic when a run fails or fails on some nodes, naming the tasks and their commands, and once when it succeeds again, not at every success', async () => {
    const { ssm } = t;
    await ssm.send(new UpdateServiceSettingCommand({ SettingId: '/tend/maintenance-windows/notification-topic', SettingValue: topic }));
    const published = async () => {
      const rows = await t.server.services.db.selectFrom('outbox_events').select('payload').where('event_type', '=', 'notification.publish').orderBy('id').execute();
      return rows.map((r) => JSON.parse(r.payload) as { topicArn: string; subject: string; message: string }).filter((m) => m.topicArn === topic);
    };
    const secondSteps = new Map<string, string>();
    /** A window on both nodes whose second task runs `script`; answers its id. */
    const windowRunning = async (name: string, script: string[], maxErrors: string) => {
      const windowId = await createWindow(ssm, name, { Schedule: 'rate(3 days)', Duration: 2, Cutoff: 1 });
      const targetId = await registerNodes(ssm, windowId, fleet.ids);
      await registerShellTask(ssm, windowId, [targetId], ['echo fine'], { Priority: 1, Name: 'first-step' });
      secondSteps.set(windowId, await registerShellTask(ssm, windowId, [targetId], script, { Priority: 2, Name: 'second-step', MaxErrors: maxErrors }));
      return windowId;
    };
    // Fails on exactly one node of the two: the first to make the run's directory.
    const marker = path.join(os.tmpdir(), 'tend-mw-{{WINDOW_EXECUTION_ID}}');
    const good = await windowRunning('quiet-window', ['echo fine'], '0');
    const tolerated = await windowRunning('tolerant-window', [`if mkdir ${marker} 2>/dev/null; then exit 3; fi`], '1');
    const failed = await windowRunning('failing-window', ['echo broken >&2', 'exit 3'], '0');

    const createdAt = Math.max(...(await Promise.all([good, tolerated, failed].map(createdAtOf))));
    await reach(createdAt + 3 * 24 * HOUR);
    /** The status the window's newest run ends with. */
    const outcome = async (windowId: string) => {
      const [run] = await executionsOf(ssm, windowId);
      return (await executionEnded(t, windowId, run!.WindowExecutionId!)).Status;
    };
    expect([await outcome(good), await outcome(tolerated), await outcome(failed)]).toEqual(['SUCCESS', 'SUCCESS', 'FAILED']);

    const messages = await published();
    expect(messages.map((m) => m.subject).sort()).toEqual(['Tend maintenance window failing-window failed', 'Tend maintenance window tolerant-window succeeded']);
    const failure = JSON.parse(messages.find((m) => m.subject.includes('failing-window'))!.message);
    expect(failure).toMatchObject({
      eventType: 'window.execution.status',
      event: { windowId: failed, windowName: 'failing-window', status: 'FAILED' },
      tasks: [{ name: 'second-step', taskArn: 'AWS-RunShellScript', status: 'FAILED', commandId: expect.any(String) }],
    });
    expect(failure.summary).toContain(`Maintenance window failing-window (${failed}) failed`);
    // The command named is the one that failed.
    expect(await getCommand(t, failure.tasks[0].commandId)).toMatchObject({ Status: 'Failed' });
    const partial = JSON.parse(messages.find((m) => m.subject.includes('tolerant-window'))!.message);
    expect(partial.summary).toContain('succeeded, but failed on some nodes');
    expect(partial.tasks).toEqual([expect.objectContaining({ name: 'second-step', status: 'SUCCESS', statusDetails: 'Incomplete' })]);
    expect(fs.existsSync(marker.replace('{{WINDOW_EXECUTION_ID}}', partial.event.windowExecutionId))).toBe(true);
    fs.rmSync(marker.replace('{{WINDOW_EXECUTION_ID}}', partial.event.windowExecutionId), { recursive: true, force: true });

    // Mended: the next run succeeds and says so, once; the one after it, and the good window's, say nothing.
    await ssm.send(
      new UpdateMaintenanceWindowTaskCommand({ WindowId: failed, WindowTaskId: secondSteps.get(failed), TaskInvocationParameters: { RunCommand: { Parameters: { commands: ['echo mended'] } } } }),
    );
    await ssm.send(new UpdateMaintenanceWindowTaskCommand({ WindowId: tolerated, WindowTaskId: secondSteps.get(tolerated), TaskInvocationParameters: { RunCommand: { Parameters: { commands: ['echo mended'] } } } }));
    for (const days of [6, 9]) {
      await reach(createdAt + days * 24 * HOUR);
      expect([await outcome(good), await outcome(tolerated), await outcome(failed)]).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
    }
    const later = (await published()).slice(2).map((m) => m.subject).sort();
    expect(later).toEqual(['Tend maintenance window failing-window succeeded again', 'Tend maintenance window tolerant-window succeeded again']);
    for (const windowId of [good, tolerated, failed]) await ssm.send(new DeleteMaintenanceWindowCommand({ WindowId: windowId }));
  });
});
