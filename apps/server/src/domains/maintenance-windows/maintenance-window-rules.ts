import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ServiceError, validationError } from '../../rpc/errors.js';
import type { ArnScope } from '../tags/tag-resource-types.js';
import { isValidTimeZone, parseSchedule, parseScheduleDate, type WindowSchedule } from './schedule.js';

/** Systems Manager's bounds on a window (hours). */
export const MAX_DURATION_HOURS = 24;
export const MAX_CUTOFF_HOURS = 23;
export const MAX_SCHEDULE_OFFSET_DAYS = 6;

/** Resource type of maintenance windows in `resource_tags`. */
export const MAINTENANCE_WINDOW_TAG_RESOURCE = 'MaintenanceWindow';

const RESOURCE_NAME = /^[a-zA-Z0-9_\-.]{3,128}$/;

/** Name of a window, a window target or a window task. */
export const resourceNameSchema = z.string().regex(RESOURCE_NAME, 'Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-.]{3,128}$');
export const descriptionSchema = z.string().min(1).max(128);
export const windowIdSchema = z.string().regex(/^mw-[0-9a-f]{17}$/, 'Member must satisfy regular expression pattern: ^mw-[0-9a-f]{17}$');
/** Target, task and execution ids are UUIDs, as Systems Manager's. */
export const uuidSchema = z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'Member must satisfy regular expression pattern: ^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$');
export const clientTokenSchema = z.string().min(1).max(64);
export const scheduleSchema = z.string().min(1).max(256);
export const timezoneSchema = z.string();
export const scheduleOffsetSchema = z.number().int().min(1).max(MAX_SCHEDULE_OFFSET_DAYS);
export const durationSchema = z.number().int().min(1).max(MAX_DURATION_HOURS);
export const cutoffSchema = z.number().int().min(0).max(MAX_CUTOFF_HOURS);
export const maxResultsSchema = z.number().int().min(10).max(100).optional();
export const nextTokenSchema = z.string().max(4096).optional();

/** MaintenanceWindowFilter, as the Describe operations take it. */
export const windowFiltersSchema = z
  .array(z.object({ Key: z.string().min(1).max(128), Values: z.array(z.string().min(1).max(256)).optional() }))
  .max(5)
  .optional();
export type WindowFilters = NonNullable<z.infer<typeof windowFiltersSchema>>;

/** Refuses filter keys an operation does not know, naming the ones it does. */
export function checkFilterKeys(filters: WindowFilters | undefined, allowed: readonly string[]): void {
  for (const f of filters ?? []) {
    if (!allowed.includes(f.Key)) throw validationError(`Filter key ${f.Key} is not valid here; valid keys are: ${allowed.join(', ')}`);
  }
}

/** The values of one filter key (every filter with that key), or undefined when the key is not used. */
export function filterValues(filters: WindowFilters | undefined, key: string): string[] | undefined {
  const matching = (filters ?? []).filter((f) => f.Key === key);
  return matching.length ? matching.flatMap((f) => f.Values ?? []) : undefined;
}

export function newWindowId(): string {
  return `mw-${randomBytes(9).toString('hex').slice(0, 17)}`;
}

export function windowArn(scope: ArnScope, windowId: string): string {
  return `arn:aws:ssm:${scope.region}:${scope.accountId}:maintenancewindow/${windowId}`;
}

export function windowNotFound(windowId: string): ServiceError {
  return new ServiceError('DoesNotExistException', `Maintenance window ${windowId} does not exist`);
}

export function windowTargetNotFound(windowId: string, windowTargetId: string): ServiceError {
  return new ServiceError('DoesNotExistException', `Maintenance window target ${windowTargetId} does not exist in maintenance window ${windowId}`);
}

export function windowTaskNotFound(windowId: string, windowTaskId: string): ServiceError {
  return new ServiceError('DoesNotExistException', `Maintenance window task ${windowTaskId} does not exist in maintenance window ${windowId}`);
}

export function windowExecutionNotFound(windowExecutionId: string): ServiceError {
  return new ServiceError('DoesNotExistException', `Maintenance window execution ${windowExecutionId} does not exist`);
}

export function taskExecutionNotFound(windowExecutionId: string, taskExecutionId: string): ServiceError {
  return new ServiceError('DoesNotExistException', `Maintenance window task execution ${taskExecutionId} does not exist in window execution ${windowExecutionId}`);
}

/** The settings of a window that decide when it runs, checked together. */
export interface WindowSettings {
  name: string;
  description?: string;
  startDate?: string;
  endDate?: string;
  schedule: string;
  scheduleTimezone?: string;
  scheduleOffset?: number;
  duration: number;
  cutoff: number;
  allowUnassociatedTargets: boolean;
  enabled: boolean;
}

/**
 * Checks what the input schemas cannot see alone: the schedule expression,
 * the time zone, the offset (cron only), Cutoff below Duration and the
 * dates. Create and Update call it on the window as it would be stored.
 */
export function checkWindowSettings(s: WindowSettings): void {
  const schedule = parseSchedule(s.schedule);
  if (s.scheduleTimezone !== undefined && !isValidTimeZone(s.scheduleTimezone)) {
    throw validationError(`ScheduleTimezone ${s.scheduleTimezone} is not an IANA time zone name such as Etc/UTC or America/Los_Angeles`);
  }
  if (s.scheduleOffset !== undefined && schedule.kind !== 'cron') {
    throw validationError('ScheduleOffset can be set only for a cron(...) schedule');
  }
  if (s.cutoff >= s.duration) {
    throw validationError(`Cutoff (${s.cutoff} hours) must be less than Duration (${s.duration} hours): no task could start otherwise`);
  }
  const start = s.startDate !== undefined ? parseScheduleDate(s.startDate, 'StartDate').getTime() : undefined;
  const end = s.endDate !== undefined ? parseScheduleDate(s.endDate, 'EndDate').getTime() : undefined;
  if (start !== undefined && end !== undefined && end <= start) throw validationError('EndDate must be later than StartDate');
}

/** A stored window, as schedule.ts reads it. */
export function windowScheduleOf(w: { schedule: string; scheduleTimezone?: string; startDate?: string; endDate?: string; scheduleOffset?: number; createdAt: number }): WindowSchedule {
  return {
    schedule: w.schedule,
    ...(w.scheduleTimezone !== undefined ? { timeZone: w.scheduleTimezone } : {}),
    ...(w.startDate !== undefined ? { startDate: w.startDate } : {}),
    ...(w.endDate !== undefined ? { endDate: w.endDate } : {}),
    ...(w.scheduleOffset !== undefined ? { offsetDays: w.scheduleOffset } : {}),
    // rate() counts from StartDate when there is one, else from the window's creation.
    anchor: w.startDate !== undefined ? parseScheduleDate(w.startDate, 'StartDate') : new Date(w.createdAt),
  };
}

/** NextExecutionTime as Systems Manager writes it: ISO 8601 in UTC, to the minute when there are no seconds. */
export function executionTimeText(at: Date): string {
  const iso = at.toISOString();
  return at.getUTCSeconds() === 0 ? `${iso.slice(0, 16)}Z` : `${iso.slice(0, 19)}Z`;
}

/** Task types of Systems Manager; Tend runs the first. */
export const TASK_TYPES = ['RUN_COMMAND', 'AUTOMATION', 'STEP_FUNCTIONS', 'LAMBDA'] as const;

/** Refuses the task types Tend does not run, saying so (rather than a bare enum error). */
export function checkTaskType(taskType: string): void {
  if (taskType !== 'RUN_COMMAND') {
    throw validationError(`TaskType ${taskType} is not supported: Tend runs RUN_COMMAND tasks only (a Command document run on the window's nodes)`);
  }
}
