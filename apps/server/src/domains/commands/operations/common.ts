import { z } from 'zod';
import { ServiceError } from '../../../rpc/errors.js';
import { epochSeconds } from '../../nodes/operations/node-operation.js';
import type { CommandRow, InvocationRow, StoredPluginResult } from '../commands.store.js';
import { parseConfig } from '../command-notifications.js';
import { COMMAND_STATUSES } from '../command-status.js';

/** Command ids are UUIDs (36 characters), as Systems Manager's. */
export const commandIdSchema = z.string().length(36);

/** CommandPlugin.Output and CommandInvocation details: the first 2,500 characters (SSM-FACTS). */
export const INLINE_PLUGIN_OUTPUT_CHARS = 2_500;

export function invalidCommandId(commandId: string): ServiceError {
  return new ServiceError('InvalidCommandId', `Command ${commandId} does not exist.`);
}

/** ListCommands' and ListCommandInvocations' filters (CommandFilter: lower-case key and value). */
export const commandFiltersSchema = z
  .array(z.object({ key: z.enum(['InvokedAfter', 'InvokedBefore', 'Status', 'ExecutionStage', 'DocumentName']), value: z.string().min(1).max(150) }))
  .min(1)
  .max(5)
  .optional();
export type CommandFilters = NonNullable<z.infer<typeof commandFiltersSchema>>;

/** What the filters ask for, checked: timestamps parsed, statuses and stages known. */
export interface CommandCriteria {
  invokedAfter?: number;
  invokedBefore?: number;
  statuses: string[];
  stage?: 'Executing' | 'Complete';
  documentNames: string[];
}

export function readFilters(filters: CommandFilters | undefined): CommandCriteria {
  const criteria: CommandCriteria = { statuses: [], documentNames: [] };
  const invalid = (message: string) => new ServiceError('InvalidFilterKey', message);
  for (const { key, value } of filters ?? []) {
    switch (key) {
      case 'InvokedAfter':
      case 'InvokedBefore': {
        const ms = Date.parse(value);
        if (Number.isNaN(ms)) throw invalid(`${key}: ${value} is not a timestamp such as 2026-11-24T00:00:00Z`);
        if (key === 'InvokedAfter') criteria.invokedAfter = ms;
        else criteria.invokedBefore = ms;
        break;
      }
      case 'Status':
        if (!(COMMAND_STATUSES as readonly string[]).includes(value)) throw invalid(`Status: ${value} is not one of ${COMMAND_STATUSES.join(', ')}`);
        criteria.statuses.push(value);
        break;
      case 'ExecutionStage':
        if (value !== 'Executing' && value !== 'Complete') throw invalid('ExecutionStage: the value must be Executing or Complete');
        criteria.stage = value;
        break;
      case 'DocumentName':
        criteria.documentNames.push(value);
        break;
    }
  }
  return criteria;
}

/** A Command as the API answers it. */
export function commandOutput(row: CommandRow) {
  const notification = parseConfig(row.notification_config);
  return {
    CommandId: row.command_id,
    DocumentName: row.document_name,
    DocumentVersion: row.document_version,
    Comment: row.comment,
    ExpiresAfter: epochSeconds(row.expires_after),
    Parameters: JSON.parse(row.parameters) as Record<string, string[]>,
    InstanceIds: JSON.parse(row.instance_ids) as string[],
    Targets: JSON.parse(row.targets) as unknown[],
    RequestedDateTime: epochSeconds(row.requested_at),
    Status: row.status,
    StatusDetails: row.status_details,
    OutputS3BucketName: row.output_s3_bucket_name ?? '',
    OutputS3KeyPrefix: row.output_s3_key_prefix ?? '',
    MaxConcurrency: row.max_concurrency,
    MaxErrors: row.max_errors,
    TargetCount: row.target_count,
    CompletedCount: row.completed_count,
    ErrorCount: row.error_count,
    DeliveryTimedOutCount: row.delivery_timed_out_count,
    ServiceRole: row.service_role_arn ?? '',
    NotificationConfig: { NotificationArn: notification?.NotificationArn ?? '', NotificationEvents: notification?.NotificationEvents ?? [], NotificationType: notification?.NotificationType ?? '' },
    CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
    TimeoutSeconds: row.timeout_seconds,
  };
}

export function storedPlugins(row: InvocationRow): StoredPluginResult[] {
  return row.plugins ? (JSON.parse(row.plugins) as StoredPluginResult[]) : [];
}

/** stdout, then stderr under Systems Manager's separator line, cut to `limit` characters. */
export function combinedOutput(plugin: Pick<StoredPluginResult, 'stdout' | 'stderr'>, limit: number): string {
  const text = plugin.stderr ? `${plugin.stdout}\n----------ERROR-------\n${plugin.stderr}` : plugin.stdout;
  return text.length > limit ? text.slice(0, limit) : text;
}

/**
 * The CommandPlugins of an invocation: the steps that reported, and for one
 * still running (or never started) each document step with the invocation's
 * own status.
 */
export function commandPlugins(command: CommandRow, row: InvocationRow) {
  const reported = storedPlugins(row);
  if (reported.length > 0) {
    return reported.map((p) => ({
      Name: p.name,
      Status: p.status,
      StatusDetails: p.status === 'TimedOut' ? 'Execution Timed Out' : p.status,
      ResponseCode: p.responseCode,
      ResponseStartDateTime: epochSeconds(p.startedAt),
      ResponseFinishDateTime: epochSeconds(p.endedAt),
      Output: combinedOutput(p, INLINE_PLUGIN_OUTPUT_CHARS),
      StandardOutputUrl: '',
      StandardErrorUrl: '',
      OutputS3Region: '',
      OutputS3BucketName: command.output_s3_bucket_name ?? '',
      OutputS3KeyPrefix: command.output_s3_key_prefix ?? '',
    }));
  }
  return (JSON.parse(command.step_names) as string[]).map((name) => ({
    Name: name,
    Status: row.status,
    StatusDetails: row.status_details,
    ResponseCode: row.response_code,
    Output: row.message ?? '',
    StandardOutputUrl: '',
    StandardErrorUrl: '',
    OutputS3Region: '',
    OutputS3BucketName: command.output_s3_bucket_name ?? '',
    OutputS3KeyPrefix: command.output_s3_key_prefix ?? '',
  }));
}

/** A CommandInvocation as ListCommandInvocations answers it; plugins only with Details. */
export function invocationOutput(command: CommandRow, row: InvocationRow, details: boolean) {
  const notification = parseConfig(command.notification_config);
  return {
    CommandId: command.command_id,
    InstanceId: row.instance_id,
    InstanceName: row.instance_name,
    Comment: command.comment,
    DocumentName: command.document_name,
    DocumentVersion: command.document_version,
    RequestedDateTime: epochSeconds(command.requested_at),
    Status: row.status,
    StatusDetails: row.status_details,
    TraceOutput: '',
    StandardOutputUrl: '',
    StandardErrorUrl: '',
    ...(details ? { CommandPlugins: commandPlugins(command, row) } : {}),
    ServiceRole: command.service_role_arn ?? '',
    NotificationConfig: { NotificationArn: notification?.NotificationArn ?? '', NotificationEvents: notification?.NotificationEvents ?? [], NotificationType: notification?.NotificationType ?? '' },
    CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
  };
}

/** Filters as SQL conditions on the commands table, shared by both listings. */
export function matchesCriteria<Q extends { where: (...args: any[]) => Q }>(
  query: Q,
  criteria: CommandCriteria,
  /** ListCommandInvocations filters on the invocation's own Status. */
  statusColumn: 'commands.status' | 'command_invocations.status' = 'commands.status',
): Q {
  let q = query;
  if (criteria.invokedAfter !== undefined) q = q.where('commands.requested_at', '>=', criteria.invokedAfter);
  if (criteria.invokedBefore !== undefined) q = q.where('commands.requested_at', '<=', criteria.invokedBefore);
  if (criteria.statuses.length) q = q.where(statusColumn, 'in', criteria.statuses);
  if (criteria.stage === 'Executing') q = q.where('commands.status', 'in', ['Pending', 'InProgress', 'Cancelling']);
  if (criteria.stage === 'Complete') q = q.where('commands.status', 'not in', ['Pending', 'InProgress', 'Cancelling']);
  if (criteria.documentNames.length) q = q.where('commands.document_name', 'in', criteria.documentNames);
  return q;
}
