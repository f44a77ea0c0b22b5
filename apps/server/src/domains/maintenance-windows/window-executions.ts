import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import type { Services } from '../../services.js';
import { ServiceError } from '../../rpc/errors.js';
import type { TimerHandler } from '../../scheduler/durable-timer-loop.js';
import { signalOutboxWritten } from '../../events/outbox-signal.js';
import { prepareCommand, type CommandRequest, type PreparedCommand } from '../commands/command-request.js';
import { ACTIVE_COMMAND_STATUSES } from '../commands/commands.store.js';
import { resolveTargets } from '../targets/resolve-targets.js';
import type { ArnScope } from '../tags/tag-resource-types.js';
import { windowArn, windowExecutionNotFound } from './maintenance-window-rules.js';
import {
  ACTIVE_EXECUTION_STATUSES,
  MaintenanceWindowsStore,
  type ExecutionRow,
  type TaskExecutionRow,
  type WindowRecord,
  type WindowTaskRecord,
} from './maintenance-windows.store.js';
import { notifyWindowExecution } from './window-notifications.js';
import { nextWindowRun, scheduleExecutionCheck, type WindowExecutionTimerPayload, type WindowRunTimerPayload } from './window-timers.js';

/** Outbox event written whenever an execution's status changes (DESIGN.md, "Events, not callbacks"). */
export const WINDOW_EXECUTION_STATUS_EVENT = 'window.execution.status';

/** How often a running execution looks at its tasks' commands (and at its cutoff and end). */
export const EXECUTION_CHECK_MS = 2_000;

const HOUR_MS = 3_600_000;

/** More than the durable timer loop's retries can delay a timer before giving it up. */
const RETRY_MARGIN_MS = 30 * 60_000;

type Db = Kysely<Database>;

/** A Run Command command's final status → the task execution's status. */
const TASK_STATUS_OF_COMMAND: Record<string, string> = { Success: 'SUCCESS', Failed: 'FAILED', TimedOut: 'TIMED_OUT', Cancelled: 'CANCELLED' };

/** A command invocation's status → the window task invocation's status. */
const INVOCATION_STATUS_OF_COMMAND: Record<string, string> = {
  Pending: 'PENDING',
  InProgress: 'IN_PROGRESS',
  Delayed: 'IN_PROGRESS',
  Cancelling: 'CANCELLING',
  Success: 'SUCCESS',
  Failed: 'FAILED',
  TimedOut: 'TIMED_OUT',
  Cancelled: 'CANCELLED',
};

const isActive = (status: string) => (ACTIVE_EXECUTION_STATUSES as readonly string[]).includes(status);

/** Payload of a `window.execution.status` event. */
export interface WindowExecutionStatusEvent {
  windowId: string;
  windowExecutionId: string;
  status: string;
  statusDetails?: string;
}

export interface WindowRunnerOptions {
  services: Services;
  clock: () => Date;
}

/**
 * Runs maintenance windows on durable timers (DESIGN.md, "Scheduling").
 *
 * Each enabled window has one run timer at its next scheduled time. When it
 * fires, an execution is recorded (or SKIPPED_OVERLAPPING while the previous
 * one runs) with a task execution per registered task, and the execution
 * gets its own timer, which comes back every EXECUTION_CHECK_MS until the
 * execution ends. Each check follows the tasks' commands, applies the
 * cutoff and the end of the window, and lets the next priority group start
 * once the one before it has ended. All of it is in the database, decided
 * in the timer's transaction, so a restart or another replica picks up
 * where it stopped.
 *
 * Starting a task is the one step done after the commit: rendering the
 * document and resolving the nodes read the database outside the timer's
 * transaction (on SQLite a read inside it would wait for it forever). The
 * check marks the task IN_PROGRESS without a command; the start writes the
 * command and the task's command id together, once, and a later check
 * starts again any task that still has no command (a crash in between).
 */
export class MaintenanceWindowRunner {
  private readonly store: MaintenanceWindowsStore;
  private readonly starting = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly options: WindowRunnerOptions) {
    const { db, dialect } = options.services;
    this.store = new MaintenanceWindowsStore({ db, dialect });
  }

  private get scope(): ArnScope {
    return { region: this.options.services.config.region, accountId: this.options.services.config.accountId };
  }

  /** Waits for task starts under way (at shutdown, before the database closes). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.starting]);
  }

  /** Handler of WINDOW_RUN_TIMER: a window's scheduled time came. */
  readonly runHandler: TimerHandler = {
    run: async (timer, trx, now) => {
      const { windowId } = timer.payload as WindowRunTimerPayload;
      const window = await this.store.findWindow(trx, windowId, true);
      // Disabling or deleting a window removes its timer; one already claimed then finds this.
      if (!window || !window.enabled) return { done: true };
      // The timer's due time is the scheduled run, unless failed attempts pushed it later (by minutes
      // at most): then the run it stands for is the first one after that margin.
      const scheduledAt = timer.attempts === 0 ? timer.dueAt : Math.min(timer.dueAt, nextWindowRun(window, timer.dueAt - RETRY_MARGIN_MS) ?? timer.dueAt);
      // A run found so late that no task could start any more (the server was down) is not made up.
      const wroteEvent = now < scheduledAt + (window.duration - window.cutoff) * HOUR_MS ? await this.startExecution(trx, window, scheduledAt, now) : false;
      const next = nextWindowRun(window, Math.max(now, scheduledAt));
      return { ...(next === undefined ? { done: true as const } : { rescheduleAt: next }), afterCommit: () => wroteEvent && signalOutboxWritten() };
    },
  };

  /** Handler of WINDOW_EXECUTION_TIMER: look at a running execution. */
  readonly executionHandler: TimerHandler = {
    run: async (timer, trx, now) => {
      const { windowExecutionId } = timer.payload as WindowExecutionTimerPayload;
      let q = trx.selectFrom('maintenance_window_executions').selectAll().where('window_execution_id', '=', windowExecutionId);
      if (this.options.services.dialect === 'postgres') q = q.forUpdate();
      const execution = await q.executeTakeFirst();
      if (!execution || !isActive(execution.status)) return { done: true };
      const step = await this.advance(trx, execution, now);
      return {
        ...(step.checkAgainAt === undefined ? { done: true as const } : { rescheduleAt: step.checkAgainAt }),
        afterCommit: () => {
          for (const commandId of step.wake) this.options.services.commands.wake(commandId);
          for (const taskExecutionId of step.start) this.startInBackground(taskExecutionId);
          if (step.ended) signalOutboxWritten();
        },
      };
    },
  };

  /** Records a new execution, or a skipped one while the previous execution still runs. Answers whether an event was written. */
  private async startExecution(trx: Db, window: WindowRecord, scheduledAt: number, now: number): Promise<boolean> {
    const windowExecutionId = randomUUID();
    const times = {
      scheduled_at: scheduledAt,
      start_time: now,
      cutoff_at: scheduledAt + (window.duration - window.cutoff) * HOUR_MS,
      ends_at: scheduledAt + window.duration * HOUR_MS,
    };
    const running = await trx
      .selectFrom('maintenance_window_executions')
      .select('window_execution_id')
      .where('window_id', '=', window.windowId)
      .where('status', 'in', [...ACTIVE_EXECUTION_STATUSES])
      .executeTakeFirst();
    if (running) {
      const details = `Skipped: execution ${running.window_execution_id} of this window was still running`;
      await trx
        .insertInto('maintenance_window_executions')
        .values({ window_execution_id: windowExecutionId, window_id: window.windowId, status: 'SKIPPED_OVERLAPPING', status_details: details, ...times, end_time: now })
        .execute();
      await writeStatusEvent(trx, { windowId: window.windowId, windowExecutionId, status: 'SKIPPED_OVERLAPPING', statusDetails: details }, now);
      return true;
    }
    await trx
      .insertInto('maintenance_window_executions')
      .values({ window_execution_id: windowExecutionId, window_id: window.windowId, status: 'IN_PROGRESS', status_details: null, ...times, end_time: null })
      .execute();
    // Each task as it is now: editing a task later changes later runs, not this one.
    const tasks = await this.store.listTasks(window.windowId, trx);
    if (tasks.length) {
      await trx
        .insertInto('maintenance_window_task_executions')
        .values(
          tasks.map((task) => ({
            task_execution_id: randomUUID(),
            window_execution_id: windowExecutionId,
            window_id: window.windowId,
            window_task_id: task.windowTaskId,
            task: JSON.stringify(task),
            priority: task.priority,
            status: 'PENDING',
            status_details: null,
            start_time: null,
            end_time: null,
            command_id: null,
          })),
        )
        .execute();
    }
    await scheduleExecutionCheck(trx, windowExecutionId, now, now);
    await writeStatusEvent(trx, { windowId: window.windowId, windowExecutionId, status: 'IN_PROGRESS' }, now);
    return true;
  }

  /**
   * One look at a running execution, inside the timer's transaction: what
   * the commands did, the cutoff, the end of the window, the next priority
   * group, and the execution's own status once every task has ended.
   */
  private async advance(trx: Db, execution: ExecutionRow, now: number): Promise<{ checkAgainAt?: number; start: string[]; wake: string[]; ended: boolean }> {
    const tasks = await trx
      .selectFrom('maintenance_window_task_executions')
      .selectAll()
      .where('window_execution_id', '=', execution.window_execution_id)
      .orderBy('priority')
      .orderBy('task_execution_id')
      .execute();
    const changes = new Map<string, Partial<TaskExecutionRow>>();
    const set = (task: TaskExecutionRow, values: Partial<TaskExecutionRow>) => {
      Object.assign(task, values);
      changes.set(task.task_execution_id, { ...changes.get(task.task_execution_id), ...values });
    };
    const start: string[] = [];
    const wake: string[] = [];
    const cutoffAt = Number(execution.cutoff_at);
    const endsAt = Number(execution.ends_at);

    const cancelling = execution.status === 'CANCELLING';

    // 1. Follow the commands of running tasks.
    for (const task of tasks) {
      if (isActive(task.status) && task.command_id) await this.followCommand(trx, task, now, set, cancelling);
    }

    // 2. The cutoff: nothing starts any more, and CANCEL_TASK tasks are told to stop.
    if (now >= cutoffAt) {
      for (const task of tasks) {
        if (task.status === 'PENDING' || (task.status === 'IN_PROGRESS' && !task.command_id)) {
          set(task, { status: 'TIMED_OUT', status_details: "The task did not start before the window's cutoff", end_time: now });
        } else if (task.status === 'IN_PROGRESS' && task.command_id && snapshotOf(task).cutoffBehavior === 'CANCEL_TASK') {
          await this.options.services.commands.store.requestCancel(trx, task.command_id, now);
          set(task, { status: 'CANCELLING', status_details: "Cancelling: the window's cutoff was reached (CutoffBehavior CANCEL_TASK)" });
          wake.push(task.command_id);
        }
      }
    }

    // 3. The end of the window: what still runs is past its time.
    if (now >= endsAt) {
      for (const task of tasks) {
        if (isActive(task.status)) set(task, { status: 'TIMED_OUT', status_details: 'The task was still running when the window closed', end_time: now });
      }
    }

    // 4. The lowest priority still to do starts once everything before it has ended (equal priorities together).
    if (now < cutoffAt && !cancelling) {
      const remaining = tasks.filter((t) => isActive(t.status));
      const group = remaining.length ? remaining[0]!.priority : undefined;
      for (const task of remaining) {
        if (task.priority !== group) break;
        if (task.status === 'PENDING') {
          set(task, { status: 'IN_PROGRESS', status_details: null, start_time: now });
          start.push(task.task_execution_id);
        } else if (task.status === 'IN_PROGRESS' && !task.command_id) {
          // Marked to start by an earlier check whose start did not complete (a crash, a restart): again.
          start.push(task.task_execution_id);
        }
      }
    }

    for (const [taskExecutionId, values] of changes) {
      await trx.updateTable('maintenance_window_task_executions').set(values).where('task_execution_id', '=', taskExecutionId).execute();
    }

    // 5. Every task has ended: so has the execution.
    if (!tasks.some((t) => isActive(t.status))) {
      const { status, details } = cancelling ? { status: 'CANCELLED', details: 'Cancelled by CancelMaintenanceWindowExecution' } : executionOutcome(tasks);
      await trx
        .updateTable('maintenance_window_executions')
        .set({ status, status_details: details, end_time: now })
        .where('window_execution_id', '=', execution.window_execution_id)
        .execute();
      await writeStatusEvent(trx, { windowId: execution.window_id, windowExecutionId: execution.window_execution_id, status, ...(details !== null ? { statusDetails: details } : {}) }, now);
      return { start, wake, ended: true };
    }
    const moments = [now + EXECUTION_CHECK_MS, ...[cutoffAt, endsAt].filter((t) => t > now)];
    return { checkAgainAt: Math.min(...moments), start, wake, ended: false };
  }

  /** Copies a task's command progress to its invocations, and its outcome to the task once the command ended. */
  private async followCommand(
    trx: Db,
    task: TaskExecutionRow,
    now: number,
    set: (task: TaskExecutionRow, values: Partial<TaskExecutionRow>) => void,
    executionCancelled: boolean,
  ): Promise<void> {
    const commands = this.options.services.commands.store;
    const command = await commands.find(task.command_id!, trx);
    if (!command) {
      set(task, { status: 'FAILED', status_details: `Command ${task.command_id} is no longer in the command history`, end_time: now });
      return;
    }
    const states = await commands.invocationStates(command.command_id, trx);
    const recorded = await trx
      .selectFrom('maintenance_window_task_invocations')
      .select(['invocation_id', 'instance_id', 'status', 'status_details', 'start_time', 'end_time'])
      .where('task_execution_id', '=', task.task_execution_id)
      .execute();
    const byNode = new Map(recorded.map((r) => [r.instance_id, r]));
    for (const state of states) {
      const row = byNode.get(state.instance_id);
      if (!row) continue;
      const values = {
        status: INVOCATION_STATUS_OF_COMMAND[state.status] ?? 'IN_PROGRESS',
        status_details: state.status_details,
        start_time: state.execution_start ?? state.started_at,
        end_time: state.execution_end,
      };
      const same =
        row.status === values.status &&
        row.status_details === values.status_details &&
        nullableNumber(row.start_time) === nullableNumber(values.start_time) &&
        nullableNumber(row.end_time) === nullableNumber(values.end_time);
      if (!same) await trx.updateTable('maintenance_window_task_invocations').set(values).where('invocation_id', '=', row.invocation_id).execute();
    }
    if ((ACTIVE_COMMAND_STATUSES as readonly string[]).includes(command.status)) return;
    if (task.status === 'CANCELLING' && executionCancelled) {
      set(task, { status: command.status === 'Success' ? 'SUCCESS' : 'CANCELLED', status_details: command.status_details, end_time: now });
    } else if (task.status === 'CANCELLING') {
      // Cancelled by the cutoff: a task that did not complete is TIMED_OUT.
      set(task, { status: command.status === 'Success' ? 'SUCCESS' : 'TIMED_OUT', status_details: command.status_details, end_time: now });
    } else {
      set(task, { status: TASK_STATUS_OF_COMMAND[command.status] ?? 'FAILED', status_details: command.status_details, end_time: now });
    }
  }

  private startInBackground(taskExecutionId: string): void {
    if (this.stopped) return;
    const work = this.startTask(taskExecutionId)
      .catch((err: unknown) => this.options.services.logger.error({ err, taskExecutionId }, 'could not start a maintenance window task; the next check tries again'))
      .finally(() => this.starting.delete(work));
    this.starting.add(work);
  }

  /**
   * Turns a task marked IN_PROGRESS into its command: resolves the task's
   * nodes, prepares the command as SendCommand would (outside any
   * transaction), then writes the command, the invocations and the task's
   * command id in one transaction, if the task still waits for it. A task
   * whose command cannot be made (its document is gone, a parameter is
   * wrong) is FAILED with the reason.
   */
  async startTask(taskExecutionId: string): Promise<void> {
    const { services } = this.options;
    const pending = await services.db.selectFrom('maintenance_window_task_executions').selectAll().where('task_execution_id', '=', taskExecutionId).executeTakeFirst();
    if (!pending || pending.status !== 'IN_PROGRESS' || pending.command_id) return;
    const task = snapshotOf(pending);
    const now = this.options.clock().getTime();
    let prepared: (PreparedCommand & { nodes: TaskNode[]; request: CommandRequest }) | undefined;
    let failure: string | undefined;
    try {
      const nodes = await this.resolveTaskNodes(task);
      const request = commandRequestOf(task, { windowExecutionId: pending.window_execution_id, taskExecutionId });
      const command = await prepareCommand(services, request, {
        // The window acts on its own: the tasks were authorized when they were registered.
        requester: { arn: windowArn(this.scope, task.windowId), isAllowed: () => true },
        scope: this.scope,
        now,
        instanceIds: nodes.map((n) => n.instanceId),
      });
      prepared = { ...command, nodes, request };
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      failure = `${err.type}: ${err.message}`;
    }

    const started = await services.db.transaction().execute(async (trx) => {
      let q = trx.selectFrom('maintenance_window_task_executions').selectAll().where('task_execution_id', '=', taskExecutionId);
      if (services.dialect === 'postgres') q = q.forUpdate();
      const current = await q.executeTakeFirst();
      // Another start got there first, or the cutoff or the window's end came meanwhile.
      if (!current || current.status !== 'IN_PROGRESS' || current.command_id) return undefined;
      if (!prepared) {
        await trx
          .updateTable('maintenance_window_task_executions')
          .set({ status: 'FAILED', status_details: failure ?? 'The task could not start', end_time: now })
          .where('task_execution_id', '=', taskExecutionId)
          .execute();
        return undefined;
      }
      const { command, invocations, nodes, request } = prepared;
      await services.commands.store.insert(command, invocations, trx);
      // What the invocation ran with, as Systems Manager shows it: the SendCommand members for this node.
      const parametersFor = (instanceId: string) =>
        JSON.stringify({
          comment: request.Comment ?? '',
          documentName: command.document_name,
          instanceIds: [instanceId],
          maxConcurrency: command.max_concurrency,
          maxErrors: command.max_errors,
          parameters: request.Parameters ?? {},
          timeoutSeconds: command.timeout_seconds,
        });
      for (let at = 0; at < nodes.length; at += 500) {
        await trx
          .insertInto('maintenance_window_task_invocations')
          .values(
            nodes.slice(at, at + 500).map((node, i) => ({
              invocation_id: randomUUID(),
              window_execution_id: current.window_execution_id,
              task_execution_id: taskExecutionId,
              execution_id: command.command_id,
              instance_id: node.instanceId,
              window_target_id: node.windowTargetId ?? null,
              owner_information: node.ownerInformation ?? null,
              parameters: parametersFor(node.instanceId),
              status: 'PENDING',
              status_details: 'Pending',
              start_time: null,
              end_time: null,
              position: at + i,
            })),
          )
          .execute();
      }
      await trx.updateTable('maintenance_window_task_executions').set({ command_id: command.command_id }).where('task_execution_id', '=', taskExecutionId).execute();
      return command.command_id;
    });
    if (started) services.commands.wake(started);
  }

  /** The nodes a task runs on, each once, with the window target that designated it first. */
  private async resolveTaskNodes(task: WindowTaskRecord): Promise<TaskNode[]> {
    const { db } = this.options.services;
    const nodes = new Map<string, TaskNode>();
    for (const target of task.targets) {
      if (target.Key === 'WindowTargetIds') {
        const windowTargets = await this.store.listTargets(task.windowId);
        for (const windowTargetId of target.Values) {
          const windowTarget = windowTargets.find((t) => t.windowTargetId === windowTargetId);
          // Deregistered since the run began: it designates nothing any more.
          if (!windowTarget) continue;
          const resolved = await resolveTargets(db, { Targets: windowTarget.targets }, { scope: this.scope });
          for (const instanceId of resolved.instanceIds) {
            if (!nodes.has(instanceId)) nodes.set(instanceId, { instanceId, windowTargetId, ownerInformation: windowTarget.ownerInformation });
          }
        }
      } else if (target.Key === 'InstanceIds') {
        // Nodes deregistered since the task was registered are left out rather than failing the task.
        const resolved = await resolveTargets(db, { InstanceIds: target.Values }, { scope: this.scope });
        for (const instanceId of resolved.instanceIds) if (!nodes.has(instanceId)) nodes.set(instanceId, { instanceId });
      }
    }
    return [...nodes.values()].sort((a, b) => a.instanceId.localeCompare(b.instanceId));
  }

}

/**
 * CancelMaintenanceWindowExecution: tasks not started are CANCELLED at
 * once, running ones have their commands cancelled (as CancelCommand
 * does), and the execution is CANCELLING until they have ended, then
 * CANCELLED. An execution that has already ended is left as it is.
 */
export async function cancelWindowExecution(services: Services, windowExecutionId: string, now: number): Promise<void> {
  const wake = await services.db.transaction().execute(async (trx) => {
    let q = trx.selectFrom('maintenance_window_executions').selectAll().where('window_execution_id', '=', windowExecutionId);
    if (services.dialect === 'postgres') q = q.forUpdate();
    const execution = await q.executeTakeFirst();
    if (!execution) throw windowExecutionNotFound(windowExecutionId);
    if (execution.status !== 'IN_PROGRESS' && execution.status !== 'PENDING') return [];
    const commands: string[] = [];
    const tasks = await trx.selectFrom('maintenance_window_task_executions').selectAll().where('window_execution_id', '=', windowExecutionId).execute();
    for (const task of tasks) {
      if (task.status === 'PENDING' || (task.status === 'IN_PROGRESS' && !task.command_id)) {
        await trx
          .updateTable('maintenance_window_task_executions')
          .set({ status: 'CANCELLED', status_details: 'Cancelled before it started', end_time: now })
          .where('task_execution_id', '=', task.task_execution_id)
          .execute();
      } else if (task.status === 'IN_PROGRESS' && task.command_id) {
        await services.commands.store.requestCancel(trx, task.command_id, now);
        await trx.updateTable('maintenance_window_task_executions').set({ status: 'CANCELLING' }).where('task_execution_id', '=', task.task_execution_id).execute();
        commands.push(task.command_id);
      }
    }
    await trx.updateTable('maintenance_window_executions').set({ status: 'CANCELLING' }).where('window_execution_id', '=', windowExecutionId).execute();
    await writeStatusEvent(trx, { windowId: execution.window_id, windowExecutionId, status: 'CANCELLING' }, now);
    // The next check (at once) ends the execution when nothing runs any more.
    await scheduleExecutionCheck(trx, windowExecutionId, now, now);
    return commands;
  });
  for (const commandId of wake) services.commands.wake(commandId);
  signalOutboxWritten();
}

/** Writes a `window.execution.status` event, and the notification of a bad end, in the transaction that changed the status. */
async function writeStatusEvent(trx: Db, event: WindowExecutionStatusEvent, now: number): Promise<void> {
  await trx.insertInto('outbox_events').values({ event_type: WINDOW_EXECUTION_STATUS_EVENT, occurred_at: now, payload: JSON.stringify(event) }).execute();
  await notifyWindowExecution(trx, event, now);
}

interface TaskNode {
  instanceId: string;
  windowTargetId?: string;
  ownerInformation?: string;
}

/** The task as registered when the execution began. */
export function snapshotOf(task: Pick<TaskExecutionRow, 'task'>): WindowTaskRecord {
  return JSON.parse(task.task) as WindowTaskRecord;
}

/**
 * An execution whose tasks have all ended: FAILED if one failed (or was
 * cancelled), else TIMED_OUT if one ran out of time, else SUCCESS.
 */
function executionOutcome(tasks: TaskExecutionRow[]): { status: string; details: string | null } {
  const failed = tasks.filter((t) => t.status === 'FAILED' || t.status === 'CANCELLED');
  if (failed.length) return { status: 'FAILED', details: `${failed.length} of ${tasks.length} tasks did not succeed` };
  const timedOut = tasks.filter((t) => t.status === 'TIMED_OUT');
  if (timedOut.length) return { status: 'TIMED_OUT', details: `${timedOut.length} of ${tasks.length} tasks did not complete within the window` };
  return { status: 'SUCCESS', details: null };
}

/** Values the window substitutes in a task's parameters (Systems Manager's pseudo parameters that are the same on every node). */
const PSEUDO_PARAMETERS = ['WINDOW_ID', 'WINDOW_EXECUTION_ID', 'TASK_EXECUTION_ID', 'WINDOW_TASK_ID'] as const;

/** The SendCommand request a RUN_COMMAND task makes (TaskInvocationParameters.RunCommand, else the older TaskParameters). */
export function commandRequestOf(task: WindowTaskRecord, run: { windowExecutionId: string; taskExecutionId: string }): CommandRequest {
  const rc = task.invocationParameters?.RunCommand ?? {};
  const given =
    rc.Parameters ??
    (task.taskParameters ? Object.fromEntries(Object.entries(task.taskParameters).map(([name, value]) => [name, value.Values ?? []])) : undefined);
  const values: Record<(typeof PSEUDO_PARAMETERS)[number], string> = {
    WINDOW_ID: task.windowId,
    WINDOW_EXECUTION_ID: run.windowExecutionId,
    TASK_EXECUTION_ID: run.taskExecutionId,
    WINDOW_TASK_ID: task.windowTaskId,
  };
  const substitute = (text: string) => text.replace(/\{\{\s*(WINDOW_ID|WINDOW_EXECUTION_ID|TASK_EXECUTION_ID|WINDOW_TASK_ID)\s*\}\}/g, (_m, name: keyof typeof values) => values[name]);
  const parameters = given ? Object.fromEntries(Object.entries(given).map(([name, list]) => [name, list.map(substitute)])) : undefined;
  return {
    DocumentName: task.taskArn,
    ...(rc.DocumentVersion !== undefined ? { DocumentVersion: rc.DocumentVersion } : {}),
    ...(rc.DocumentHash !== undefined ? { DocumentHash: rc.DocumentHash, DocumentHashType: rc.DocumentHashType } : {}),
    ...(parameters ? { Parameters: parameters } : {}),
    ...(rc.Comment !== undefined ? { Comment: rc.Comment } : {}),
    ...(rc.TimeoutSeconds !== undefined ? { TimeoutSeconds: rc.TimeoutSeconds } : {}),
    ...(task.maxConcurrency !== undefined ? { MaxConcurrency: task.maxConcurrency } : {}),
    ...(task.maxErrors !== undefined ? { MaxErrors: task.maxErrors } : {}),
    ...(rc.NotificationConfig !== undefined ? { NotificationConfig: rc.NotificationConfig } : {}),
    ...((rc.ServiceRoleArn ?? task.serviceRoleArn) !== undefined ? { ServiceRoleArn: rc.ServiceRoleArn ?? task.serviceRoleArn } : {}),
    ...(rc.OutputS3BucketName !== undefined ? { OutputS3BucketName: rc.OutputS3BucketName } : {}),
    ...(rc.OutputS3KeyPrefix !== undefined ? { OutputS3KeyPrefix: rc.OutputS3KeyPrefix } : {}),
  };
}

function nullableNumber(v: number | null | undefined): number | null {
  return v === null || v === undefined ? null : Number(v);
}
