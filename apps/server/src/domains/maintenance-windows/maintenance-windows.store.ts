import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../storage/schema.js';
import type { Dialect } from '../../storage/database.js';
import { ServiceError } from '../../rpc/errors.js';
import { cancelTimers } from '../../scheduler/durable-timers.store.js';
import type { Tag } from '../tags/tag-rules.js';
import { deleteResourceTags, upsertResourceTags } from '../tags/tags.store.js';
import type { Target } from '../targets/resolve-targets.js';
import type { NotificationConfig } from '../commands/command-notifications.js';
import {
  MAINTENANCE_WINDOW_TAG_RESOURCE,
  newWindowId,
  taskExecutionNotFound,
  windowExecutionNotFound,
  windowNotFound,
  windowTargetNotFound,
  windowTaskNotFound,
  type WindowSettings,
} from './maintenance-window-rules.js';
import { executionTimerKey, scheduleWindowRun, windowRunTimerKey } from './window-timers.js';

type Db = Kysely<Database>;
type WindowRow = Selectable<Database['maintenance_windows']>;
type TargetRow = Selectable<Database['maintenance_window_targets']>;
type TaskRow = Selectable<Database['maintenance_window_tasks']>;
export type ExecutionRow = Selectable<Database['maintenance_window_executions']>;
export type TaskExecutionRow = Selectable<Database['maintenance_window_task_executions']>;
export type TaskInvocationRow = Selectable<Database['maintenance_window_task_invocations']>;

export interface WindowRecord extends WindowSettings {
  windowId: string;
  createdAt: number;
  modifiedAt: number;
}

export interface WindowTargetDraft {
  resourceType: 'INSTANCE' | 'RESOURCE_GROUP';
  targets: Target[];
  ownerInformation?: string;
  name?: string;
  description?: string;
}

export interface WindowTargetRecord extends WindowTargetDraft {
  windowId: string;
  windowTargetId: string;
}

/** TaskInvocationParameters.RunCommand, as registered. */
export interface RunCommandParameters {
  Comment?: string;
  DocumentHash?: string;
  DocumentHashType?: 'Sha256' | 'Sha1';
  DocumentVersion?: string;
  NotificationConfig?: NotificationConfig;
  OutputS3BucketName?: string;
  OutputS3KeyPrefix?: string;
  Parameters?: Record<string, string[]>;
  ServiceRoleArn?: string;
  TimeoutSeconds?: number;
  CloudWatchOutputConfig?: { CloudWatchLogGroupName?: string; CloudWatchOutputEnabled?: boolean };
}

export interface WindowTaskDraft {
  taskArn: string;
  taskType: 'RUN_COMMAND';
  targets: Target[];
  serviceRoleArn?: string;
  /** The deprecated TaskParameters member, kept as given. */
  taskParameters?: Record<string, { Values?: string[] }>;
  invocationParameters?: { RunCommand?: RunCommandParameters };
  loggingInfo?: { S3BucketName: string; S3KeyPrefix?: string; S3Region: string };
  priority: number;
  maxConcurrency?: string;
  maxErrors?: string;
  name?: string;
  description?: string;
  cutoffBehavior: 'CONTINUE_TASK' | 'CANCEL_TASK';
}

export interface WindowTaskRecord extends WindowTaskDraft {
  windowId: string;
  windowTaskId: string;
}

/** Statuses of executions, task executions and invocations that are not final. */
export const ACTIVE_EXECUTION_STATUSES = ['PENDING', 'IN_PROGRESS', 'CANCELLING'] as const;

const orUndefined = <T>(v: T | null): T | undefined => (v === null ? undefined : v);
const parsed = <T>(text: string | null): T | undefined => (text === null ? undefined : (JSON.parse(text) as T));

export function windowOf(row: WindowRow): WindowRecord {
  return {
    windowId: row.window_id,
    name: row.name,
    description: orUndefined(row.description),
    startDate: orUndefined(row.start_date),
    endDate: orUndefined(row.end_date),
    schedule: row.schedule,
    scheduleTimezone: orUndefined(row.schedule_timezone),
    scheduleOffset: row.schedule_offset === null ? undefined : Number(row.schedule_offset),
    duration: Number(row.duration),
    cutoff: Number(row.cutoff),
    allowUnassociatedTargets: Number(row.allow_unassociated_targets) === 1,
    enabled: Number(row.enabled) === 1,
    createdAt: Number(row.created_at),
    modifiedAt: Number(row.modified_at),
  };
}

function targetOf(row: TargetRow): WindowTargetRecord {
  return {
    windowId: row.window_id,
    windowTargetId: row.window_target_id,
    resourceType: row.resource_type,
    targets: JSON.parse(row.targets) as Target[],
    ownerInformation: orUndefined(row.owner_information),
    name: orUndefined(row.name),
    description: orUndefined(row.description),
  };
}

export function taskOf(row: TaskRow): WindowTaskRecord {
  return {
    windowId: row.window_id,
    windowTaskId: row.window_task_id,
    taskArn: row.task_arn,
    taskType: row.task_type as 'RUN_COMMAND',
    targets: JSON.parse(row.targets) as Target[],
    serviceRoleArn: orUndefined(row.service_role_arn),
    taskParameters: parsed(row.task_parameters),
    invocationParameters: parsed(row.invocation_parameters),
    loggingInfo: parsed(row.logging_info),
    priority: Number(row.priority),
    maxConcurrency: orUndefined(row.max_concurrency),
    maxErrors: orUndefined(row.max_errors),
    name: orUndefined(row.name),
    description: orUndefined(row.description),
    cutoffBehavior: row.cutoff_behavior,
  };
}

function windowColumns(s: WindowSettings) {
  return {
    name: s.name,
    description: s.description ?? null,
    start_date: s.startDate ?? null,
    end_date: s.endDate ?? null,
    schedule: s.schedule,
    schedule_timezone: s.scheduleTimezone ?? null,
    schedule_offset: s.scheduleOffset ?? null,
    duration: s.duration,
    cutoff: s.cutoff,
    allow_unassociated_targets: s.allowUnassociatedTargets ? 1 : 0,
    enabled: s.enabled ? 1 : 0,
  };
}

function targetColumns(d: WindowTargetDraft) {
  return {
    resource_type: d.resourceType,
    targets: JSON.stringify(d.targets),
    owner_information: d.ownerInformation ?? null,
    name: d.name ?? null,
    description: d.description ?? null,
  };
}

function taskColumns(d: WindowTaskDraft) {
  return {
    task_arn: d.taskArn,
    task_type: d.taskType,
    targets: JSON.stringify(d.targets),
    service_role_arn: d.serviceRoleArn ?? null,
    task_parameters: d.taskParameters ? JSON.stringify(d.taskParameters) : null,
    invocation_parameters: d.invocationParameters ? JSON.stringify(d.invocationParameters) : null,
    logging_info: d.loggingInfo ? JSON.stringify(d.loggingInfo) : null,
    priority: d.priority,
    max_concurrency: d.maxConcurrency ?? null,
    max_errors: d.maxErrors ?? null,
    name: d.name ?? null,
    description: d.description ?? null,
    cutoff_behavior: d.cutoffBehavior,
  };
}

/** Ids of the window targets a task's targets name (Key WindowTargetIds). */
export function windowTargetIdsOf(targets: Target[]): string[] {
  return targets.filter((t) => t.Key === 'WindowTargetIds').flatMap((t) => t.Values);
}

export interface MaintenanceWindowsStoreOptions {
  db: Db;
  dialect: Dialect;
  now?: () => number;
}

/**
 * Maintenance windows, their targets and tasks, and their execution
 * history. Every change to a window or what hangs off it runs in one
 * transaction holding the window's row lock (PostgreSQL; SQLite has one
 * writer), so a registration never lands on a window being deleted, and
 * the run timer is moved in the same transaction as the window.
 */
export class MaintenanceWindowsStore {
  private readonly db: Db;
  private readonly now: () => number;

  constructor(private readonly options: MaintenanceWindowsStoreOptions) {
    this.db = options.db;
    this.now = options.now ?? Date.now;
  }

  /** Reads a window, locking its row on PostgreSQL when `lock` (inside a transaction). */
  async findWindow(db: Db, windowId: string, lock = false): Promise<WindowRecord | undefined> {
    let q = db.selectFrom('maintenance_windows').selectAll().where('window_id', '=', windowId);
    if (lock && this.options.dialect === 'postgres') q = q.forUpdate();
    const row = await q.executeTakeFirst();
    return row && windowOf(row);
  }

  private async lockedWindow(trx: Db, windowId: string): Promise<WindowRecord> {
    const window = await this.findWindow(trx, windowId, true);
    if (!window) throw windowNotFound(windowId);
    return window;
  }

  // -- windows ------------------------------------------------------------------------------

  /**
   * Creates a window and its run timer. A ClientToken seen before answers
   * the window it created when the request is the same, and
   * IdempotentParameterMismatch when it is not.
   */
  async createWindow(request: { settings: WindowSettings; tags: Tag[]; clientToken?: string; requestHash: string }): Promise<WindowRecord> {
    const at = this.now();
    return this.db.transaction().execute(async (trx) => {
      if (request.clientToken !== undefined) {
        const earlier = await trx.selectFrom('maintenance_windows').selectAll().where('client_token', '=', request.clientToken).executeTakeFirst();
        if (earlier) {
          if (earlier.request_hash !== request.requestHash) {
            throw new ServiceError('IdempotentParameterMismatch', 'The ClientToken was used before with different parameters; use a new token for a new request.');
          }
          return windowOf(earlier);
        }
      }
      const windowId = newWindowId();
      await trx
        .insertInto('maintenance_windows')
        .values({
          window_id: windowId,
          ...windowColumns(request.settings),
          client_token: request.clientToken ?? null,
          request_hash: request.clientToken !== undefined ? request.requestHash : null,
          created_at: at,
          modified_at: at,
        })
        .execute();
      await upsertResourceTags(trx, MAINTENANCE_WINDOW_TAG_RESOURCE, windowId, request.tags);
      const window = await this.lockedWindow(trx, windowId);
      await scheduleWindowRun(trx, window, at);
      return window;
    });
  }

  async getWindow(windowId: string): Promise<WindowRecord> {
    const window = await this.findWindow(this.db, windowId);
    if (!window) throw windowNotFound(windowId);
    return window;
  }

  /** Rewrites a window with what `build` makes of the current one (validated there), and moves its run timer. */
  async updateWindow(windowId: string, build: (current: WindowRecord) => WindowSettings): Promise<WindowRecord> {
    const at = this.now();
    return this.db.transaction().execute(async (trx) => {
      const current = await this.lockedWindow(trx, windowId);
      const next = build(current);
      await trx
        .updateTable('maintenance_windows')
        .set({ ...windowColumns(next), modified_at: at })
        .where('window_id', '=', windowId)
        .execute();
      const window = await this.lockedWindow(trx, windowId);
      await scheduleWindowRun(trx, window, at);
      return window;
    });
  }

  /**
   * Deletes a window with its targets, tasks, tags, history and timers.
   * Commands its running tasks started are left to finish: they are Run
   * Command's now, visible with ListCommands.
   */
  async deleteWindow(windowId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await this.lockedWindow(trx, windowId);
      const executions = await trx.selectFrom('maintenance_window_executions').select('window_execution_id').where('window_id', '=', windowId).execute();
      const executionIds = executions.map((e) => e.window_execution_id);
      await cancelTimers(trx, [windowRunTimerKey(windowId), ...executionIds.map(executionTimerKey)]);
      for (let at = 0; at < executionIds.length; at += 500) {
        const chunk = executionIds.slice(at, at + 500);
        await trx.deleteFrom('maintenance_window_task_invocations').where('window_execution_id', 'in', chunk).execute();
        await trx.deleteFrom('maintenance_window_task_executions').where('window_execution_id', 'in', chunk).execute();
      }
      await trx.deleteFrom('maintenance_window_executions').where('window_id', '=', windowId).execute();
      await trx.deleteFrom('maintenance_window_tasks').where('window_id', '=', windowId).execute();
      await trx.deleteFrom('maintenance_window_targets').where('window_id', '=', windowId).execute();
      await deleteResourceTags(trx, MAINTENANCE_WINDOW_TAG_RESOURCE, windowId);
      await trx.deleteFrom('maintenance_windows').where('window_id', '=', windowId).execute();
    });
  }

  /** Windows ordered by id, narrowed by name and enabled state. */
  async listWindows(criteria: { names?: string[]; enabled?: boolean }): Promise<WindowRecord[]> {
    let q = this.db.selectFrom('maintenance_windows').selectAll().orderBy('window_id');
    if (criteria.names) q = q.where('name', 'in', criteria.names.length ? criteria.names : ['']);
    if (criteria.enabled !== undefined) q = q.where('enabled', '=', criteria.enabled ? 1 : 0);
    return (await q.execute()).map(windowOf);
  }

  // -- targets ------------------------------------------------------------------------------

  /** Registers a target; a ClientToken already used in this window answers the target it registered. */
  async registerTarget(windowId: string, draft: WindowTargetDraft, clientToken?: string): Promise<string> {
    const at = this.now();
    return this.db.transaction().execute(async (trx) => {
      await this.lockedWindow(trx, windowId);
      if (clientToken !== undefined) {
        const earlier = await trx
          .selectFrom('maintenance_window_targets')
          .select('window_target_id')
          .where('window_id', '=', windowId)
          .where('client_token', '=', clientToken)
          .executeTakeFirst();
        if (earlier) return earlier.window_target_id;
      }
      const windowTargetId = randomUUID();
      await trx
        .insertInto('maintenance_window_targets')
        .values({ window_target_id: windowTargetId, window_id: windowId, ...targetColumns(draft), client_token: clientToken ?? null, created_at: at })
        .execute();
      return windowTargetId;
    });
  }

  async listTargets(windowId: string, db: Db = this.db): Promise<WindowTargetRecord[]> {
    if (!(await this.findWindow(db, windowId))) throw windowNotFound(windowId);
    const rows = await db.selectFrom('maintenance_window_targets').selectAll().where('window_id', '=', windowId).orderBy('created_at').orderBy('window_target_id').execute();
    return rows.map(targetOf);
  }

  /** Rewrites a target with what `build` makes of the current one. */
  async updateTarget(windowId: string, windowTargetId: string, build: (current: WindowTargetRecord) => WindowTargetDraft): Promise<WindowTargetRecord> {
    return this.db.transaction().execute(async (trx) => {
      await this.lockedWindow(trx, windowId);
      const current = await this.targetIn(trx, windowId, windowTargetId);
      const next = build(current);
      await trx.updateTable('maintenance_window_targets').set(targetColumns(next)).where('window_target_id', '=', windowTargetId).execute();
      return { ...next, windowId, windowTargetId };
    });
  }

  /**
   * Removes a target. With `safe`, a target a task still names is refused
   * (TargetInUseException); otherwise it is also taken out of those tasks.
   */
  async deregisterTarget(windowId: string, windowTargetId: string, safe: boolean): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await this.lockedWindow(trx, windowId);
      await this.targetIn(trx, windowId, windowTargetId);
      const tasks = (await trx.selectFrom('maintenance_window_tasks').selectAll().where('window_id', '=', windowId).execute()).map(taskOf);
      const using = tasks.filter((t) => windowTargetIdsOf(t.targets).includes(windowTargetId));
      if (using.length && safe) {
        throw new ServiceError(
          'TargetInUseException',
          `Maintenance window target ${windowTargetId} is used by task ${using.map((t) => t.windowTaskId).join(', ')}; deregister it without Safe to remove it from the tasks too`,
        );
      }
      for (const task of using) {
        const targets = task.targets
          .map((t) => (t.Key === 'WindowTargetIds' ? { ...t, Values: t.Values.filter((v) => v !== windowTargetId) } : t))
          .filter((t) => t.Values.length > 0);
        await trx.updateTable('maintenance_window_tasks').set({ targets: JSON.stringify(targets) }).where('window_task_id', '=', task.windowTaskId).execute();
      }
      await trx.deleteFrom('maintenance_window_targets').where('window_target_id', '=', windowTargetId).execute();
    });
  }

  private async targetIn(db: Db, windowId: string, windowTargetId: string): Promise<WindowTargetRecord> {
    const row = await db.selectFrom('maintenance_window_targets').selectAll().where('window_target_id', '=', windowTargetId).where('window_id', '=', windowId).executeTakeFirst();
    if (!row) throw windowTargetNotFound(windowId, windowTargetId);
    return targetOf(row);
  }

  // -- tasks --------------------------------------------------------------------------------

  /**
   * Registers a task; `check` sees the window and its targets in the
   * transaction (a task may only name targets registered with the window).
   */
  async registerTask(windowId: string, draft: WindowTaskDraft, check: (window: WindowRecord, targetIds: Set<string>) => void, clientToken?: string): Promise<string> {
    const at = this.now();
    return this.db.transaction().execute(async (trx) => {
      const window = await this.lockedWindow(trx, windowId);
      if (clientToken !== undefined) {
        const earlier = await trx
          .selectFrom('maintenance_window_tasks')
          .select('window_task_id')
          .where('window_id', '=', windowId)
          .where('client_token', '=', clientToken)
          .executeTakeFirst();
        if (earlier) return earlier.window_task_id;
      }
      check(window, await this.targetIdsOf(trx, windowId));
      const windowTaskId = randomUUID();
      await trx
        .insertInto('maintenance_window_tasks')
        .values({ window_task_id: windowTaskId, window_id: windowId, ...taskColumns(draft), client_token: clientToken ?? null, created_at: at })
        .execute();
      return windowTaskId;
    });
  }

  async getTask(windowId: string, windowTaskId: string): Promise<WindowTaskRecord> {
    if (!(await this.findWindow(this.db, windowId))) throw windowNotFound(windowId);
    return this.taskIn(this.db, windowId, windowTaskId);
  }

  async listTasks(windowId: string, db: Db = this.db): Promise<WindowTaskRecord[]> {
    if (!(await this.findWindow(db, windowId))) throw windowNotFound(windowId);
    const rows = await db.selectFrom('maintenance_window_tasks').selectAll().where('window_id', '=', windowId).orderBy('priority').orderBy('created_at').orderBy('window_task_id').execute();
    return rows.map(taskOf);
  }

  async updateTask(
    windowId: string,
    windowTaskId: string,
    build: (current: WindowTaskRecord, window: WindowRecord, targetIds: Set<string>) => WindowTaskDraft,
  ): Promise<WindowTaskRecord> {
    return this.db.transaction().execute(async (trx) => {
      const window = await this.lockedWindow(trx, windowId);
      const current = await this.taskIn(trx, windowId, windowTaskId);
      const next = build(current, window, await this.targetIdsOf(trx, windowId));
      await trx.updateTable('maintenance_window_tasks').set(taskColumns(next)).where('window_task_id', '=', windowTaskId).execute();
      return { ...next, windowId, windowTaskId };
    });
  }

  async deregisterTask(windowId: string, windowTaskId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await this.lockedWindow(trx, windowId);
      await this.taskIn(trx, windowId, windowTaskId);
      await trx.deleteFrom('maintenance_window_tasks').where('window_task_id', '=', windowTaskId).execute();
    });
  }

  private async taskIn(db: Db, windowId: string, windowTaskId: string): Promise<WindowTaskRecord> {
    const row = await db.selectFrom('maintenance_window_tasks').selectAll().where('window_task_id', '=', windowTaskId).where('window_id', '=', windowId).executeTakeFirst();
    if (!row) throw windowTaskNotFound(windowId, windowTaskId);
    return taskOf(row);
  }

  private async targetIdsOf(db: Db, windowId: string): Promise<Set<string>> {
    const rows = await db.selectFrom('maintenance_window_targets').select('window_target_id').where('window_id', '=', windowId).execute();
    return new Set(rows.map((r) => r.window_target_id));
  }

  // -- executions (read side; window-executions.ts writes them) -------------------------------

  /** A window's executions, newest first. */
  async listExecutions(windowId: string, criteria: { statuses?: string[]; startedBefore?: number; startedAfter?: number }): Promise<ExecutionRow[]> {
    if (!(await this.findWindow(this.db, windowId))) throw windowNotFound(windowId);
    let q = this.db.selectFrom('maintenance_window_executions').selectAll().where('window_id', '=', windowId);
    if (criteria.statuses) q = q.where('status', 'in', criteria.statuses.length ? criteria.statuses : ['']);
    if (criteria.startedBefore !== undefined) q = q.where('start_time', '<=', criteria.startedBefore);
    if (criteria.startedAfter !== undefined) q = q.where('start_time', '>=', criteria.startedAfter);
    return q.orderBy('start_time', 'desc').orderBy('window_execution_id').execute();
  }

  async getExecution(windowExecutionId: string): Promise<ExecutionRow> {
    const row = await this.db.selectFrom('maintenance_window_executions').selectAll().where('window_execution_id', '=', windowExecutionId).executeTakeFirst();
    if (!row) throw windowExecutionNotFound(windowExecutionId);
    return row;
  }

  /** An execution's task executions in the order they run (priority). */
  async listTaskExecutions(windowExecutionId: string, statuses?: string[]): Promise<TaskExecutionRow[]> {
    await this.getExecution(windowExecutionId);
    let q = this.db.selectFrom('maintenance_window_task_executions').selectAll().where('window_execution_id', '=', windowExecutionId);
    if (statuses) q = q.where('status', 'in', statuses.length ? statuses : ['']);
    return q.orderBy('priority').orderBy('task_execution_id').execute();
  }

  async getTaskExecution(windowExecutionId: string, taskExecutionId: string): Promise<TaskExecutionRow> {
    await this.getExecution(windowExecutionId);
    const row = await this.db
      .selectFrom('maintenance_window_task_executions')
      .selectAll()
      .where('window_execution_id', '=', windowExecutionId)
      .where('task_execution_id', '=', taskExecutionId)
      .executeTakeFirst();
    if (!row) throw taskExecutionNotFound(windowExecutionId, taskExecutionId);
    return row;
  }

  async getTaskInvocation(windowExecutionId: string, taskExecutionId: string, invocationId: string): Promise<TaskInvocationRow> {
    await this.getTaskExecution(windowExecutionId, taskExecutionId);
    const row = await this.db
      .selectFrom('maintenance_window_task_invocations')
      .selectAll()
      .where('task_execution_id', '=', taskExecutionId)
      .where('invocation_id', '=', invocationId)
      .executeTakeFirst();
    if (!row) throw new ServiceError('DoesNotExistException', `Invocation ${invocationId} does not exist in task execution ${taskExecutionId}`);
    return row;
  }

  async listTaskInvocations(windowExecutionId: string, taskExecutionId: string, statuses?: string[]): Promise<TaskInvocationRow[]> {
    await this.getTaskExecution(windowExecutionId, taskExecutionId);
    let q = this.db.selectFrom('maintenance_window_task_invocations').selectAll().where('task_execution_id', '=', taskExecutionId);
    if (statuses) q = q.where('status', 'in', statuses.length ? statuses : ['']);
    return q.orderBy('position').execute();
  }
}
