import { afterEach, describe, expect, it } from 'vitest';
import { DescribeMaintenanceWindowExecutionTasksCommand, GetMaintenanceWindowCommand, RegisterTaskWithMaintenanceWindowCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { describeEachDatabase, postgresUnavailableReason, type TestServer } from '../../testing/test-server.js';
import { TestClock, startClockedServer } from '../parameters/policy-test-support.js';
import { until } from '../commands/run-command-test-support.js';
import { HOUR, createWindow, executionsOf } from './maintenance-window-test-support.js';

/** A node id no node has: a task on it runs a command with no invocations, which succeeds at once. */
const ABSENT_NODE = 'mi-00000000000000000';

/** A window of `rate(1 hour)` with two tasks of different priorities on an absent node; answers its id and first run time. */
async function windowWithTwoTasks(ssm: SSMClient, name: string): Promise<{ windowId: string; firstRun: number }> {
  const windowId = await createWindow(ssm, name, { Schedule: 'rate(1 hour)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: true });
  for (const Priority of [1, 2]) {
    await ssm.send(
      new RegisterTaskWithMaintenanceWindowCommand({
        WindowId: windowId,
        TaskType: 'RUN_COMMAND',
        TaskArn: 'AWS-RunShellScript',
        Targets: [{ Key: 'InstanceIds', Values: [ABSENT_NODE] }],
        Priority,
        TaskInvocationParameters: { RunCommand: { Parameters: { commands: ['true'] } } },
      }),
    );
  }
  const created = (await ssm.send(new GetMaintenanceWindowCommand({ WindowId: windowId }))).CreatedDate!.getTime();
  return { windowId, firstRun: created + HOUR };
}

async function ended(t: TestServer, windowId: string): Promise<string[]> {
  return until(async () => {
    await t.server.timers.runDue();
    const executions = await executionsOf(t.ssm, windowId);
    return executions.length && executions.every((e) => e.Status !== 'IN_PROGRESS') ? executions.map((e) => e.Status!) : undefined;
  }, 20_000, `the executions of ${windowId} ended`);
}

describeEachDatabase('Maintenance windows across a server restart', (dialect) => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0).reverse()) await s.close();
  });

  it('finishes an execution a stopped server had started, from the database', async () => {
    const clock = new TestClock();
    const before = await startClockedServer(dialect, clock);
    servers.push(before);
    const { windowId, firstRun } = await windowWithTwoTasks(before.ssm, 'survives-restart');
    clock.advance(firstRun + 1_000 - clock.now());
    await before.server.timers.runDue();
    const [started] = await executionsOf(before.ssm, windowId);
    expect(started!.Status).toBe('IN_PROGRESS');
    await before.server.close();

    const after = await startClockedServer(dialect, clock, { dataDir: before.dataDir, databaseUrl: before.databaseUrl });
    servers.push(after);
    expect(await ended(after, windowId)).toEqual(['SUCCESS']);
    const { WindowExecutionTaskIdentities: tasks } = await after.ssm.send(new DescribeMaintenanceWindowExecutionTasksCommand({ WindowExecutionId: started!.WindowExecutionId }));
    expect(tasks!.map((x) => x.Status)).toEqual(['SUCCESS', 'SUCCESS']);
    // And the window's next run is still scheduled.
    const timer = await after.server.services.db.selectFrom('durable_timers').select('due_at').where('timer_key', '=', `maintenance-window:${windowId}`).executeTakeFirstOrThrow();
    expect(Number(timer.due_at)).toBe(firstRun + HOUR);
  });
});

const noPostgres = await postgresUnavailableReason();

describe.skipIf(Boolean(noPostgres))('Maintenance windows with two replicas on one PostgreSQL database', () => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0).reverse()) await s.close();
  });

  it('runs each scheduled window once, each task as one command, whichever replica ticks', async () => {
    const clock = new TestClock();
    const a = await startClockedServer('postgres', clock);
    servers.push(a);
    const b = await startClockedServer('postgres', clock, { databaseUrl: a.databaseUrl });
    servers.push(b);
    const windows: Array<{ windowId: string; firstRun: number }> = [];
    for (let i = 0; i < 4; i++) windows.push(await windowWithTwoTasks(b.ssm, `replicated-${i}`));
    clock.advance(Math.max(...windows.map((w) => w.firstRun)) + 1_000 - clock.now());
    await Promise.all([a.server.timers.runDue(), b.server.timers.runDue(), a.server.timers.runDue(), b.server.timers.runDue()]);
    for (const { windowId } of windows) expect(await ended(b, windowId)).toEqual(['SUCCESS']);
    const taskExecutions = await b.server.services.db.selectFrom('maintenance_window_task_executions').select(['command_id', 'status']).execute();
    expect(taskExecutions).toHaveLength(8);
    expect(new Set(taskExecutions.map((r) => r.command_id)).size).toBe(8);
    const commands = await b.server.services.db.selectFrom('commands').select('command_id').execute();
    expect(commands).toHaveLength(8);
  });
});
