import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import { publishInTransaction } from '../notifications/publish.js';
import { WINDOW_NOTIFICATION_TOPIC_SETTING, serviceSettingValue } from '../service-settings/service-settings.js';
import type { WindowExecutionStatusEvent } from './window-executions.js';

/**
 * Ends of a run that someone should hear of: it failed, ran out of time, or
 * did not run at all because the one before was still running. A run that
 * succeeded is news only when some of its nodes failed all the same (a task
 * whose MaxErrors tolerated them ends SUCCESS, with the details Incomplete);
 * one a person cancelled is news to nobody.
 */
const NOTIFIED_STATUSES: Record<string, string> = {
  FAILED: 'failed',
  TIMED_OUT: 'timed out',
  SKIPPED_OVERLAPPING: 'was skipped: the previous run was still going',
  SUCCESS: 'succeeded, but failed on some nodes',
};

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
  const what = NOTIFIED_STATUSES[event.status];
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
  ).filter((row) => row.status !== 'SUCCESS' || (row.status_details ?? 'Success') !== 'Success');
  if (event.status === 'SUCCESS' && rows.length === 0) return;
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
