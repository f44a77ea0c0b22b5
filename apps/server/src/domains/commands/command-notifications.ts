import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import { publishInTransaction } from '../notifications/publish.js';
import type { CommandRow, InvocationState } from './commands.store.js';

export const NOTIFICATION_EVENTS = ['All', 'InProgress', 'Success', 'TimedOut', 'Cancelled', 'Failed'] as const;

/** SendCommand's NotificationConfig. */
export const notificationConfigSchema = z.object({
  NotificationArn: z.string().min(1).max(2048).optional(),
  NotificationEvents: z.array(z.enum(NOTIFICATION_EVENTS)).max(NOTIFICATION_EVENTS.length).optional(),
  NotificationType: z.enum(['Command', 'Invocation']).optional(),
});
export type NotificationConfig = z.infer<typeof notificationConfigSchema>;

/** Outbox event types of Run Command (DESIGN.md, "Events, not callbacks"). */
export const COMMAND_STATUS_EVENT = 'command.status';
export const INVOCATION_STATUS_EVENT = 'invocation.status';

/**
 * Whether a change to `status` is one the config asks to hear about. `All`
 * means every change; otherwise the statuses named. A config without an ARN
 * or with the other NotificationType asks for nothing.
 */
export function wantsNotification(config: NotificationConfig | null, type: 'Command' | 'Invocation', status: string): config is NotificationConfig & { NotificationArn: string } {
  if (!config?.NotificationArn) return false;
  if ((config.NotificationType ?? 'Command') !== type) return false;
  const events = config.NotificationEvents?.length ? config.NotificationEvents : ['All'];
  return events.includes('All') || (events as string[]).includes(status);
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** Publishes a command's status change to its topic, if asked (a deleted topic is skipped, never an error). */
export async function notifyCommandStatus(trx: Kysely<Database>, command: CommandRow, now: number): Promise<void> {
  const config = parseConfig(command.notification_config);
  if (!wantsNotification(config, 'Command', command.status)) return;
  const counts = `${command.completed_count} of ${command.target_count} done, ${command.error_count} failed, ${command.delivery_timed_out_count} not delivered in time`;
  const message = {
    commandId: command.command_id,
    documentName: command.document_name,
    instanceIds: JSON.parse(command.instance_ids) as string[],
    requestedDateTime: iso(command.requested_at),
    expiresAfter: iso(command.expires_after),
    status: command.status,
    statusDetails: command.status_details,
    targetCount: command.target_count,
    completedCount: command.completed_count,
    errorCount: command.error_count,
    deliveryTimedOutCount: command.delivery_timed_out_count,
    eventTime: iso(now),
    summary: `Command ${command.command_id} (${command.document_name}) is ${command.status} (${command.status_details}): ${counts}.`,
  };
  await publishInTransaction(
    trx,
    { topicArn: config.NotificationArn, subject: `Tend Run Command ${command.status}: ${command.document_name}`.slice(0, 99), message: JSON.stringify(message) },
    { now, ifTopicMissing: 'skip' },
  );
}

/** Publishes an invocation's status change, saying which command, which node, which status and why. */
export async function notifyInvocationStatus(trx: Kysely<Database>, command: CommandRow, invocation: InvocationState, now: number): Promise<void> {
  const config = parseConfig(command.notification_config);
  if (!wantsNotification(config, 'Invocation', invocation.status)) return;
  const why = invocationReason(invocation);
  const message = {
    commandId: command.command_id,
    instanceId: invocation.instance_id,
    instanceName: invocation.instance_name,
    documentName: command.document_name,
    requestedDateTime: iso(command.requested_at),
    status: invocation.status,
    detailedStatus: invocation.status_details,
    responseCode: invocation.response_code,
    eventTime: iso(now),
    summary: `Command ${command.command_id} (${command.document_name}) on ${invocation.instance_id}${invocation.instance_name ? ` (${invocation.instance_name})` : ''}: ${invocation.status_details}${why ? ` — ${why}` : ''}.`,
  };
  await publishInTransaction(
    trx,
    { topicArn: config.NotificationArn, subject: `Tend Run Command ${invocation.status}: ${invocation.instance_id}`.slice(0, 99), message: JSON.stringify(message) },
    { now, ifTopicMissing: 'skip' },
  );
}

/** A short why for a notification: the agent's message, or the exit code of a failure. */
function invocationReason(invocation: InvocationState): string {
  if (invocation.message) return invocation.message;
  switch (invocation.status_details) {
    case 'Failed':
      return `exit code ${invocation.response_code}`;
    case 'Execution Timed Out':
      return 'the script ran past its execution timeout and was stopped';
    case 'Delivery Timed Out':
      return 'the node did not answer before the command timed out';
    case 'Terminated':
      return 'not run: the command exceeded its MaxErrors';
    case 'Undeliverable':
      return 'the node is no longer registered';
    default:
      return '';
  }
}

export function parseConfig(text: string | null): NotificationConfig | null {
  return text ? (JSON.parse(text) as NotificationConfig) : null;
}
