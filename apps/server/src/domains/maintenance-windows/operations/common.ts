import { z } from 'zod';
import type { OperationContext } from '../../../rpc/operation.js';
import { decodeNextToken, encodeNextToken, queryFingerprint } from '../../../rpc/page-token.js';
import { epochSeconds } from '../../parameters/parameter-output.js';
import type { ArnScope } from '../../tags/tag-resource-types.js';
import { targetSchema } from '../../targets/resolve-targets.js';
import { executionTimeText, windowArn } from '../maintenance-window-rules.js';
import {
  MaintenanceWindowsStore,
  type ExecutionRow,
  type TaskExecutionRow,
  type TaskInvocationRow,
  type WindowRecord,
  type WindowTargetRecord,
  type WindowTaskRecord,
} from '../maintenance-windows.store.js';
import { snapshotOf } from '../window-executions.js';
import { nextWindowRun } from '../window-timers.js';
import { optionalMember as optional } from '../../../rpc/optional-member.js';

/** The store, built per request on the shared database and bound to the request's clock. */
export function windowsStore(ctx: OperationContext): MaintenanceWindowsStore {
  return new MaintenanceWindowsStore({ db: ctx.services.db, dialect: ctx.services.dialect, now: () => ctx.now.getTime() });
}

export function scopeOf(ctx: OperationContext): ArnScope {
  return { region: ctx.services.config.region, accountId: ctx.services.config.accountId };
}

/** The ARN authorized for a call on one window. */
export function arnOf(ctx: OperationContext, windowId: string): string {
  return windowArn(scopeOf(ctx), windowId);
}

/** The ARN authorized for a call on an execution: its window's (DoesNotExistException for an unknown execution). */
export async function executionArnOf(ctx: OperationContext, windowExecutionId: string): Promise<string[]> {
  return [arnOf(ctx, (await windowsStore(ctx).getExecution(windowExecutionId)).window_id)];
}

/** Up to 5 targets, as window targets and tasks take them. */
export const targetsSchema = z.array(targetSchema).min(1).max(5);

/** Offset paging shared by the Describe operations: the token carries the offset and is bound to the query. */
export function pageOf<T>(items: T[], request: { MaxResults?: number; NextToken?: string }, query: unknown): { page: T[]; NextToken?: string } {
  const fingerprint = queryFingerprint(query);
  const offset = decodeNextToken<number>(request.NextToken, fingerprint, 'number') ?? 0;
  const size = request.MaxResults ?? 50;
  const page = items.slice(offset, offset + size);
  return { page, ...(offset + size < items.length ? { NextToken: encodeNextToken(offset + size, fingerprint) } : {}) };
}


/** The fields a window shares across Get, Update and the Describe listing. */
function windowFields(w: WindowRecord) {
  return {
    WindowId: w.windowId,
    Name: w.name,
    ...optional('Description', w.description),
    ...optional('StartDate', w.startDate),
    ...optional('EndDate', w.endDate),
    Schedule: w.schedule,
    ...optional('ScheduleTimezone', w.scheduleTimezone),
    ...optional('ScheduleOffset', w.scheduleOffset),
    Duration: w.duration,
    Cutoff: w.cutoff,
    Enabled: w.enabled,
  };
}

function nextExecutionTime(w: WindowRecord, now: number): string | undefined {
  const next = nextWindowRun(w, now);
  return next === undefined ? undefined : executionTimeText(new Date(next));
}

/** GetMaintenanceWindowResult. */
export function windowOutput(w: WindowRecord, now: number) {
  return {
    ...windowFields(w),
    AllowUnassociatedTargets: w.allowUnassociatedTargets,
    ...optional('NextExecutionTime', nextExecutionTime(w, now)),
    CreatedDate: epochSeconds(w.createdAt),
    ModifiedDate: epochSeconds(w.modifiedAt),
  };
}

/** UpdateMaintenanceWindowResult. */
export function updatedWindowOutput(w: WindowRecord) {
  return { ...windowFields(w), AllowUnassociatedTargets: w.allowUnassociatedTargets };
}

/** MaintenanceWindowIdentity. */
export function windowIdentity(w: WindowRecord, now: number) {
  return { ...windowFields(w), ...optional('NextExecutionTime', nextExecutionTime(w, now)) };
}

/** MaintenanceWindowTarget. */
export function targetOutput(t: WindowTargetRecord) {
  return {
    WindowId: t.windowId,
    WindowTargetId: t.windowTargetId,
    ResourceType: t.resourceType,
    Targets: t.targets,
    ...optional('OwnerInformation', t.ownerInformation),
    ...optional('Name', t.name),
    ...optional('Description', t.description),
  };
}

/** The members a task shares across Get, Update and the Describe listing. */
function taskFields(t: WindowTaskRecord) {
  return {
    WindowId: t.windowId,
    WindowTaskId: t.windowTaskId,
    TaskArn: t.taskArn,
    Targets: t.targets,
    ...optional('ServiceRoleArn', t.serviceRoleArn),
    ...optional('TaskParameters', t.taskParameters),
    Priority: t.priority,
    ...optional('LoggingInfo', t.loggingInfo),
    ...optional('MaxConcurrency', t.maxConcurrency),
    ...optional('MaxErrors', t.maxErrors),
    ...optional('Name', t.name),
    ...optional('Description', t.description),
    CutoffBehavior: t.cutoffBehavior,
  };
}

/** GetMaintenanceWindowTaskResult / UpdateMaintenanceWindowTaskResult. */
export function taskOutput(t: WindowTaskRecord) {
  return { ...taskFields(t), TaskType: t.taskType, ...optional('TaskInvocationParameters', t.invocationParameters) };
}

/** MaintenanceWindowTask (DescribeMaintenanceWindowTasks names the type `Type`). */
export function taskListOutput(t: WindowTaskRecord) {
  return { ...taskFields(t), Type: t.taskType };
}

const seconds = (ms: number | null) => (ms === null ? undefined : epochSeconds(Number(ms)));

/** MaintenanceWindowExecution. */
export function executionOutput(e: ExecutionRow) {
  return {
    WindowId: e.window_id,
    WindowExecutionId: e.window_execution_id,
    Status: e.status,
    ...optional('StatusDetails', e.status_details),
    StartTime: epochSeconds(Number(e.start_time)),
    ...optional('EndTime', seconds(e.end_time)),
  };
}

/** MaintenanceWindowExecutionTaskIdentity. */
export function taskExecutionIdentity(t: TaskExecutionRow) {
  const task = snapshotOf(t);
  return {
    WindowExecutionId: t.window_execution_id,
    TaskExecutionId: t.task_execution_id,
    Status: t.status,
    ...optional('StatusDetails', t.status_details),
    ...optional('StartTime', seconds(t.start_time)),
    ...optional('EndTime', seconds(t.end_time)),
    TaskArn: task.taskArn,
    TaskType: task.taskType,
  };
}

/** GetMaintenanceWindowExecutionTaskResult. */
export function taskExecutionOutput(t: TaskExecutionRow) {
  const task = snapshotOf(t);
  return {
    WindowExecutionId: t.window_execution_id,
    TaskExecutionId: t.task_execution_id,
    TaskArn: task.taskArn,
    ...optional('ServiceRole', task.invocationParameters?.RunCommand?.ServiceRoleArn ?? task.serviceRoleArn),
    Type: task.taskType,
    ...(task.taskParameters ? { TaskParameters: [task.taskParameters] } : {}),
    Priority: task.priority,
    ...optional('MaxConcurrency', task.maxConcurrency),
    ...optional('MaxErrors', task.maxErrors),
    Status: t.status,
    ...optional('StatusDetails', t.status_details),
    ...optional('StartTime', seconds(t.start_time)),
    ...optional('EndTime', seconds(t.end_time)),
  };
}

/** MaintenanceWindowExecutionTaskInvocationIdentity. */
export function invocationOutput(i: TaskInvocationRow) {
  return {
    WindowExecutionId: i.window_execution_id,
    TaskExecutionId: i.task_execution_id,
    InvocationId: i.invocation_id,
    ExecutionId: i.execution_id,
    TaskType: 'RUN_COMMAND',
    Parameters: i.parameters,
    Status: i.status,
    ...optional('StatusDetails', i.status_details),
    ...optional('StartTime', seconds(i.start_time)),
    ...optional('EndTime', seconds(i.end_time)),
    ...optional('OwnerInformation', i.owner_information),
    ...optional('WindowTargetId', i.window_target_id),
  };
}
