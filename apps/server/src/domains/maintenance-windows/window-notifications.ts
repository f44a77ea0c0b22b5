import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import { publishInTransaction } from '../notifications/publish.js';
import { WINDOW_NOTIFICATION_TOPIC_SETTING, serviceSettingValue } from '../service-settings/service-settings.js';
import type { WindowExecutionStatusEvent } from './window-executions.js';

/**
 * Ends of a run that someone should hear of: it failed, ran out of time, or
 * did not run at all because the one before was still running. A run that
 * succeeded is news when some of its nodes failed all the same (a task
 * whose MaxErrors tolerated them ends SUCCESS, with the details Incomplete),
 * or when the window's run before it had gone wrong: then it is the all-clear
 * for whoever was told. Otherwise a success, or a run a person cancelled, is
 * news to nobody.
 */
const NOTIFIED_STATUSES: Record<string, string> = {
  FAILED: 'failed',
  TIMED_OUT: 'timed out',
  SKIPPED_OVERLAPPING: 'was skipped: the previous run was still going',
  SUCCESS: 'succeeded, but failed on some nodes',
};
const RECOVERED = 'succeeded again';

/** One message for the maintenance windows topic. */
export interface WindowNotification {
  eventType: 'window.execution.status';
  summary: string;
  event: WindowExecutionStatusEvent & { windowName: string };
  /** The tasks that did not succeed on every node, with the command each became (its output: Tend.GetCommandOutput, `tend commands show`). */
  tasks: { taskExecutionId: string; taskArn: string; name?: string; status: string; statusDetails?: string; commandId?: string }[];
}

/**
 * Publishes an execution's status change to the topic of the
 * `/tend/maintenance-windows/notification-topic` setting, in the transaction
 * that changed it, when it is one of NOTIFIED_STATUSES; once per run, as a run
 * reaches its end only once. No topic set, nothing sent.
 */
export async function notifyWindowExecution(trx: Kysely<Database>, event: WindowExecutionStatusEvent, now: number): Promise<void> {
  let what = NOTIFIED_STATUSES[event.status];
  if (!what) return;
  const topicArn = await serviceSettingValue(trx, WINDOW_NOTIFICATION_TOPIC_SETTING);
  if (!topicArn) return;
  const rows = (
    await trx
      .selectFrom('maintenance_window_task_executions')
      .select(['task_execution_id', 'task', 'status', 'status_details', 'command_id'])
      .where('window_execution_id', '=', event.windowExecutionId)
      .orderBy('priority')
      .execute()
  ).filter(wentWrong);
  if (event.status === 'SUCCESS' && rows.length === 0) {
    if (!(await previousRunWentWrong(trx, event))) return;
    what = RECOVERED;
  }
  const window = await trx.selectFrom('maintenance_windows').select('name').where('window_id', '=', event.windowId).executeTakeFirst();
  const windowName = window?.name ?? event.windowId;
  const tasks = rows.map((row) => {
    const task = JSON.parse(row.task) as { taskArn: string; name?: string };
    return {
      taskExecutionId: row.task_execution_id,
      taskArn: task.taskArn,
      ...(task.name ? { name: task.name } : {}),
      status: row.status,
      ...(row.status_details ? { statusDetails: row.status_details } : {}),
      ...(row.command_id ? { commandId: row.command_id } : {}),
    };
  });
  const failedTasks = tasks
    .map((t) => `${t.name ?? t.taskArn} ${t.status}${t.statusDetails && t.statusDetails !== t.status ? ` (${t.statusDetails})` : ''}${t.commandId ? `, command ${t.commandId}` : ''}`)
    .join('; ');
  const message: WindowNotification = {
    eventType: 'window.execution.status',
    summary: `Maintenance window ${windowName} (${event.windowId}) ${what}${event.statusDetails ? `: ${event.statusDetails}` : ''}${failedTasks ? ` — ${failedTasks}` : ''}. Execution ${event.windowExecutionId}.`,
    event: { ...event, windowName },
    tasks,
  };
  const subject = `Tend maintenance window ${windowName} ${what.split(/[:,]/)[0]}`;
  await publishInTransaction(trx, { topicArn, subject: subject.slice(0, 99), message: JSON.stringify(message) }, { now, ifTopicMissing: 'skip' });
}

/** A task execution that did not succeed on every node. */
function wentWrong(task: { status: string; status_details: string | null }): boolean {
  return task.status !== 'SUCCESS' || (task.status_details ?? 'Success') !== 'Success';
}

/**
 * Whether the window's last run that started before this one went wrong, so
 * that a notification was sent for it (a cancelled one was not).
 */
async function previousRunWentWrong(trx: Kysely<Database>, event: WindowExecutionStatusEvent): Promise<boolean> {
  const current = await trx.selectFrom('maintenance_window_executions').select('start_time').where('window_execution_id', '=', event.windowExecutionId).executeTakeFirst();
  if (!current) return false;
  const previous = await trx
    .selectFrom('maintenance_window_executions')
    .select(['window_execution_id', 'status'])
    .where('window_id', '=', event.windowId)
    .where('start_time', '<', current.start_time)
    .where('end_time', 'is not', null)
    .orderBy('start_time', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!previous || previous.status === 'CANCELLED') return false;
  if (previous.status !== 'SUCCESS') return true;
  const tasks = await trx
    .selectFrom('maintenance_window_task_executions')
    .select(['status', 'status_details'])
    .where('window_execution_id', '=', previous.window_execution_id)
    .execute();
  return tasks.some(wentWrong);
}
