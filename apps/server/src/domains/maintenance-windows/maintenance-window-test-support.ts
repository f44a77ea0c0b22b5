import {
  CreateMaintenanceWindowCommand,
  DescribeMaintenanceWindowExecutionsCommand,
  RegisterTargetWithMaintenanceWindowCommand,
  RegisterTaskWithMaintenanceWindowCommand,
  type CreateMaintenanceWindowCommandInput,
  type MaintenanceWindowExecution,
  type RegisterTaskWithMaintenanceWindowCommandInput,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import type { TestServer } from '../../testing/test-server.js';
import { until } from '../commands/run-command-test-support.js';

export const HOUR = 3_600_000;

/** The error an SDK call fails with: its name and message (fails the test if the call succeeds). */
export async function failure(call: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await call;
  } catch (err) {
    return { name: (err as Error).name, message: (err as Error).message };
  }
  throw new Error('the call succeeded');
}

/** CreateMaintenanceWindow with valid defaults (a daily cron window of 2 hours, cutoff 1); answers the id. */
export async function createWindow(ssm: SSMClient, name: string, extra: Partial<CreateMaintenanceWindowCommandInput> = {}): Promise<string> {
  const { WindowId } = await ssm.send(
    new CreateMaintenanceWindowCommand({ Name: name, Schedule: 'cron(0 2 ? * * *)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: false, ...extra }),
  );
  return WindowId!;
}

/** Registers nodes by id as a window target; answers its WindowTargetId. */
export async function registerNodes(ssm: SSMClient, windowId: string, instanceIds: string[], ownerInformation?: string): Promise<string> {
  const { WindowTargetId } = await ssm.send(
    new RegisterTargetWithMaintenanceWindowCommand({
      WindowId: windowId,
      ResourceType: 'INSTANCE',
      Targets: [{ Key: 'InstanceIds', Values: instanceIds }],
      ...(ownerInformation ? { OwnerInformation: ownerInformation } : {}),
    }),
  );
  return WindowTargetId!;
}

/** Registers an AWS-RunShellScript task on window targets; answers its WindowTaskId. */
export async function registerShellTask(
  ssm: SSMClient,
  windowId: string,
  windowTargetIds: string[],
  commands: string[],
  extra: Partial<RegisterTaskWithMaintenanceWindowCommandInput> = {},
): Promise<string> {
  const { WindowTaskId } = await ssm.send(
    new RegisterTaskWithMaintenanceWindowCommand({
      WindowId: windowId,
      TaskType: 'RUN_COMMAND',
      TaskArn: 'AWS-RunShellScript',
      Targets: [{ Key: 'WindowTargetIds', Values: windowTargetIds }],
      Priority: 1,
      MaxConcurrency: '10',
      MaxErrors: '1',
      TaskInvocationParameters: { RunCommand: { Parameters: { commands } } },
      ...extra,
    }),
  );
  return WindowTaskId!;
}

/** Every execution of a window, newest first. */
export async function executionsOf(ssm: SSMClient, windowId: string): Promise<MaintenanceWindowExecution[]> {
  const out = await ssm.send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId: windowId }));
  return out.WindowExecutions ?? [];
}

const FINAL = new Set(['SUCCESS', 'FAILED', 'TIMED_OUT', 'CANCELLED', 'SKIPPED_OVERLAPPING']);

/** Waits until the execution has ended (the server's timer loop checks it every couple of seconds); answers it. */
export async function executionEnded(t: Pick<TestServer, 'ssm'>, windowId: string, windowExecutionId: string, timeoutMs = 30_000): Promise<MaintenanceWindowExecution> {
  return until(async () => {
    const found = (await executionsOf(t.ssm, windowId)).find((e) => e.WindowExecutionId === windowExecutionId);
    return found && FINAL.has(found.Status!) ? found : undefined;
  }, timeoutMs, `execution ${windowExecutionId} ended`);
}

/** Rows of the maintenance window tables, to check a refused call wrote nothing. */
export async function windowTablesState(t: TestServer): Promise<string> {
  const db = t.server.services.db;
  const [windows, targets, tasks, timers] = await Promise.all([
    db.selectFrom('maintenance_windows').selectAll().orderBy('window_id').execute(),
    db.selectFrom('maintenance_window_targets').selectAll().orderBy('window_target_id').execute(),
    db.selectFrom('maintenance_window_tasks').selectAll().orderBy('window_task_id').execute(),
    db.selectFrom('durable_timers').select(['timer_key', 'due_at']).where('kind', 'like', 'maintenance-window%').orderBy('timer_key').execute(),
  ]);
  return JSON.stringify({ windows, targets, tasks, timers });
}
