import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../storage/schema.js';
import { LeaseLost, type ClaimedTimer, type DurableTimersStore, type TimerOutcome } from './durable-timers.store.js';

/** What a handler's run asks for, and what to do once its transaction has committed. */
export type TimerRunResult = TimerOutcome & { afterCommit?: () => void };

/**
 * Acts on one kind of timer. `run` works inside the transaction that also
 * finishes the timer, so its changes and the timer's end commit together.
 * It must decide from the current state of what it acts on (locked in that
 * transaction), not only from the payload: a timer may fire late, after the
 * state moved on, and in the rare case of a lease expiring mid-run two
 * replicas may run it one after the other.
 */
export interface TimerHandler {
  run(timer: ClaimedTimer, trx: Kysely<Database>, now: number): Promise<TimerRunResult>;
  /**
   * Called, in its own transaction, when a timer has failed `maxAttempts`
   * times; the timer is then dropped. Records the failure where users see it.
   */
  giveUp?(timer: ClaimedTimer, trx: Kysely<Database>, reason: string, now: number): Promise<TimerRunResult | void>;
}

export interface DurableTimerLoopOptions {
  db: Kysely<Database>;
  store: DurableTimersStore;
  logger: Logger;
  now: () => number;
  /** Longest sleep between looks for due timers (default 1 s); the loop wakes sooner for a timer due sooner. */
  pollIntervalMs?: number;
  /** Timers claimed per look (default 50). */
  batchSize?: number;
  /** Failed runs after which a timer is given up (default 8). */
  maxAttempts?: number;
  /** First retry delay, doubled per failure up to `maxRetryDelayMs` (default 1 s and 10 min). */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}

/**
 * One per replica (DESIGN.md, "Scheduling"): claims due timers with a lease
 * and runs each in its own transaction with its handler. A failed run is
 * retried with backoff, its next time in the database, so a restart loses
 * nothing; N replicas on one PostgreSQL database each run a timer once.
 */
export class DurableTimerLoop {
  private readonly handlers = new Map<string, TimerHandler>();
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  /** Set by `stop`: timers claimed but not yet run are handed back. */
  private closing = false;
  /** Passes run one after another, so `runDue` also waits for a pass the background loop started. */
  private pass: Promise<number> = Promise.resolve(0);

  constructor(private readonly options: DurableTimerLoopOptions) {
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.batchSize = options.batchSize ?? 50;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 600_000;
  }

  /** Registers the handler of a timer kind (before `start`). */
  handle(kind: string, handler: TimerHandler): void {
    if (this.handlers.has(kind)) throw new Error(`timer kind ${kind} has two handlers`);
    this.handlers.set(kind, handler);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.closing = false;
    this.schedule(0);
  }

  /** Stops looking and waits for the pass in progress (its runs finish; nothing is cut half-way). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.closing = true;
    clearTimeout(this.timer);
    await this.pass.catch(() => {});
  }

  /**
   * Runs every timer due now, after any pass already under way; answers how
   * many runs completed. The background loop calls it; tests call it after
   * moving the clock.
   */
  runDue(): Promise<number> {
    const next = this.pass.catch(() => 0).then(() => this.runPass());
    this.pass = next;
    return next;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.runDue()
        .catch((err) => this.options.logger.error({ err }, 'could not look for due timers; retrying at the next poll'))
        .then(() => this.sleepDelay())
        .catch(() => this.pollIntervalMs)
        .then((delay) => this.schedule(delay));
    }, delayMs);
    this.timer.unref();
  }

  /** Until the next due timer, at most a poll interval (timers scheduled by other replicas are found by polling). */
  private async sleepDelay(): Promise<number> {
    const now = this.options.now();
    const next = await this.options.store.nextDueAt(now, [...this.handlers.keys()]);
    if (next === undefined) return this.pollIntervalMs;
    return Math.min(this.pollIntervalMs, Math.max(0, next - now));
  }

  private async runPass(): Promise<number> {
    let completed = 0;
    for (;;) {
      const claimed = await this.options.store.claimDue(this.options.now(), this.batchSize, [...this.handlers.keys()]);
      for (const timer of claimed) {
        if (this.closing) {
          await this.options.store.release(timer);
          continue;
        }
        if (await this.runOne(timer)) completed++;
      }
      if (claimed.length < this.batchSize || this.closing) return completed;
    }
  }

  /** One timer in its own transaction; a failure is recorded for a retry, or given up. */
  private async runOne(timer: ClaimedTimer): Promise<boolean> {
    const { db, store, logger } = this.options;
    // Claimed only for kinds this loop handles.
    const handler = this.handlers.get(timer.kind)!;
    const log = { timer: timer.key, kind: timer.kind, attempt: timer.attempts + 1 };
    try {
      const now = this.options.now();
      const result = await db.transaction().execute(async (trx) => {
        const outcome = await handler.run(timer, trx, now);
        await store.finish(trx, timer, outcome, now);
        return outcome;
      });
      result.afterCommit?.();
      return true;
    } catch (err) {
      if (err instanceof LeaseLost) {
        logger.info(log, 'a timer was claimed elsewhere or moved while it ran; its run was rolled back');
        return false;
      }
      const reason = err instanceof Error ? err.message : String(err);
      const now = this.options.now();
      const delay = Math.min(this.maxRetryDelayMs, this.retryDelayMs * 2 ** timer.attempts);
      if (timer.attempts + 1 >= this.maxAttempts) {
        logger.error({ ...log, err }, 'a timer failed too many times and is given up');
        try {
          await this.giveUp(timer, handler, reason, now);
          return false;
        } catch (giveUpErr) {
          logger.error({ ...log, err: giveUpErr }, 'could not give a timer up; it will be tried again');
        }
      } else {
        logger.warn({ ...log, err, retryInMs: delay }, 'a timer run failed; it will be retried');
      }
      await store.recordFailure(timer, reason, now + delay, now);
      return false;
    }
  }

  private async giveUp(timer: ClaimedTimer, handler: TimerHandler, reason: string, now: number): Promise<void> {
    const { db, store } = this.options;
    const result = await db.transaction().execute(async (trx) => {
      const outcome = await handler.giveUp?.(timer, trx, reason, now);
      await store.finish(trx, timer, { done: true }, now);
      return outcome;
    });
    result?.afterCommit?.();
  }
}
