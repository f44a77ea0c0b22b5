import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import { cancelTimers, scheduleTimer } from '../../scheduler/durable-timers.store.js';
import { windowScheduleOf } from './maintenance-window-rules.js';
import { nextRunTime } from './schedule.js';
import type { WindowRecord } from './maintenance-windows.store.js';

/** Timer kind of a window's next scheduled run (one timer per enabled window). */
export const WINDOW_RUN_TIMER = 'maintenance-window.run';
/** Timer kind of a running execution: it comes back until the execution has ended. */
export const WINDOW_EXECUTION_TIMER = 'maintenance-window.execution';

export interface WindowRunTimerPayload {
  windowId: string;
}

export interface WindowExecutionTimerPayload {
  windowExecutionId: string;
}

export function windowRunTimerKey(windowId: string): string {
  return `maintenance-window:${windowId}`;
}

export function executionTimerKey(windowExecutionId: string): string {
  return `maintenance-window-execution:${windowExecutionId}`;
}

/** The window's next run strictly after `after`, when it is enabled and its schedule has one. */
export function nextWindowRun(window: WindowRecord, after: number): number | undefined {
  if (!window.enabled) return undefined;
  return nextRunTime(windowScheduleOf(window), new Date(after))?.getTime();
}

/**
 * Puts the window's run timer at its next run, or removes it (disabled, or
 * the schedule has no run left), in the transaction that changed the window:
 * the timer and the window never disagree.
 */
export async function scheduleWindowRun(trx: Kysely<Database>, window: WindowRecord, now: number): Promise<void> {
  const next = nextWindowRun(window, now);
  const key = windowRunTimerKey(window.windowId);
  if (next === undefined) {
    await cancelTimers(trx, [key]);
    return;
  }
  const payload: WindowRunTimerPayload = { windowId: window.windowId };
  await scheduleTimer(trx, { key, kind: WINDOW_RUN_TIMER, dueAt: next, payload }, now);
}

/** Schedules (or moves) the timer that advances a running execution. */
export async function scheduleExecutionCheck(trx: Kysely<Database>, windowExecutionId: string, dueAt: number, now: number): Promise<void> {
  const payload: WindowExecutionTimerPayload = { windowExecutionId };
  await scheduleTimer(trx, { key: executionTimerKey(windowExecutionId), kind: WINDOW_EXECUTION_TIMER, dueAt, payload }, now);
}
