import { randomUUID } from 'node:crypto';
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Database } from '../storage/schema.js';
import type { Dialect } from '../storage/database.js';

/** What a domain asks for: run the `kind` handler with `payload` at `dueAt`. */
export interface TimerRequest {
  /** Unique per thing scheduled: scheduling the same key again moves that timer instead of adding another. */
  key: string;
  kind: string;
  /** Epoch milliseconds. */
  dueAt: number;
  payload: unknown;
}

/** A due timer this replica has claimed. */
export interface ClaimedTimer {
  key: string;
  kind: string;
  dueAt: number;
  payload: unknown;
  /** Failed runs before this one. */
  attempts: number;
  /** Identifies this claim: finishing the timer succeeds only while the claim still holds. */
  token: string;
}

/** How a run ended: the timer is gone, or it comes back at a later time. */
export type TimerOutcome = { done: true } | { rescheduleAt: number };

/**
 * Schedules (or moves) a timer inside the caller's transaction, so the timer
 * exists if and only if the change that needs it commits. A claim another
 * replica holds on the old timer is dropped: its run will find the claim gone
 * and roll back, and the timer runs again at its new time.
 */
export async function scheduleTimer(trx: Kysely<Database>, timer: TimerRequest, now: number): Promise<void> {
  // A new or moved timer starts afresh: no attempts, no error, no claim.
  const fresh = {
    kind: timer.kind,
    due_at: timer.dueAt,
    payload: JSON.stringify(timer.payload ?? null),
    attempts: 0,
    last_error: null,
    lease_owner: null,
    lease_token: null,
    lease_expires_at: null,
    updated_at: now,
  };
  await trx
    .insertInto('durable_timers')
    .values({ timer_key: timer.key, created_at: now, ...fresh })
    .onConflict((oc) => oc.column('timer_key').doUpdateSet(fresh))
    .execute();
}

/** Removes timers inside the caller's transaction (the thing they were for is gone). */
export async function cancelTimers(trx: Kysely<Database>, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await trx.deleteFrom('durable_timers').where('timer_key', 'in', keys).execute();
}

export interface DurableTimersStoreOptions {
  db: Kysely<Database>;
  dialect: Dialect;
  /** This replica's lease owner name (for operators reading the table). */
  owner: string;
  /** How long a claim lasts; a crashed replica's timers run elsewhere after it. */
  leaseMs: number;
}

/** Claiming and finishing due timers under a lease; see `scheduleTimer` for creating them. */
export class DurableTimersStore {
  constructor(private readonly options: DurableTimersStoreOptions) {}

  /**
   * Leases up to `limit` due timers of the given kinds, earliest first. Only
   * kinds the caller handles: during a rolling upgrade an older replica
   * leaves a newer kind's timers to the replicas that know it. On PostgreSQL
   * rows another replica is claiming at this moment are skipped, not waited
   * for (SKIP LOCKED); the compare-and-set on the lease makes a claim
   * exclusive on both databases (SQLite has a single writer anyway).
   */
  async claimDue(now: number, limit: number, kinds: readonly string[]): Promise<ClaimedTimer[]> {
    const { db, dialect, owner, leaseMs } = this.options;
    if (limit <= 0 || kinds.length === 0) return [];
    const unleased = (eb: ExpressionBuilder<Database, 'durable_timers'>) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', now)]);
    let due = db
      .selectFrom('durable_timers')
      .select('timer_key')
      .where('due_at', '<=', now)
      .where('kind', 'in', kinds)
      .where(unleased)
      .orderBy('due_at')
      .orderBy('timer_key')
      .limit(limit);
    if (dialect === 'postgres') due = due.forUpdate().skipLocked();
    const token = randomUUID();
    const rows = await db
      .updateTable('durable_timers')
      .set({ lease_owner: owner, lease_token: token, lease_expires_at: now + leaseMs })
      .where('timer_key', 'in', due)
      .where(unleased)
      .returning(['timer_key', 'kind', 'due_at', 'payload', 'attempts'])
      .execute();
    return rows
      .map((r) => ({ key: r.timer_key, kind: r.kind, dueAt: Number(r.due_at), payload: JSON.parse(r.payload) as unknown, attempts: Number(r.attempts), token }))
      .sort((a, b) => a.dueAt - b.dueAt);
  }

  /**
   * Applies a run's outcome inside the run's transaction. Throws `LeaseLost`
   * when the claim no longer holds (the lease expired and another replica
   * claimed the timer, or it was rescheduled meanwhile), so the run's
   * transaction rolls back and only the current holder acts. A timer the
   * handler itself cancelled (its subject is gone) counts as done.
   */
  async finish(trx: Kysely<Database>, timer: ClaimedTimer, outcome: TimerOutcome, now: number): Promise<void> {
    let changed: bigint;
    if ('done' in outcome) {
      const deleted = await trx.deleteFrom('durable_timers').where('timer_key', '=', timer.key).where('lease_token', '=', timer.token).executeTakeFirst();
      changed = deleted.numDeletedRows;
    } else {
      const updated = await trx
        .updateTable('durable_timers')
        .set({ due_at: outcome.rescheduleAt, attempts: 0, last_error: null, lease_owner: null, lease_token: null, lease_expires_at: null, updated_at: now })
        .where('timer_key', '=', timer.key)
        .where('lease_token', '=', timer.token)
        .executeTakeFirst();
      changed = updated.numUpdatedRows;
    }
    if (changed > 0n) return;
    const still = await trx.selectFrom('durable_timers').select('timer_key').where('timer_key', '=', timer.key).executeTakeFirst();
    if (still) throw new LeaseLost(timer.key);
  }

  /** Records a failed run and when to try again, releasing the claim (if it still holds). */
  async recordFailure(timer: ClaimedTimer, error: string, retryAt: number, now: number): Promise<void> {
    await this.options.db
      .updateTable('durable_timers')
      .set({ attempts: timer.attempts + 1, last_error: error, due_at: retryAt, lease_owner: null, lease_token: null, lease_expires_at: null, updated_at: now })
      .where('timer_key', '=', timer.key)
      .where('lease_token', '=', timer.token)
      .execute();
  }

  /** Hands a claimed timer back untouched (this replica is stopping). */
  async release(timer: ClaimedTimer): Promise<void> {
    await this.options.db
      .updateTable('durable_timers')
      .set({ lease_owner: null, lease_token: null, lease_expires_at: null })
      .where('timer_key', '=', timer.key)
      .where('lease_token', '=', timer.token)
      .execute();
  }

  /**
   * The earliest due time after `now` among the given kinds, to know how long
   * the loop may sleep. Timers already due but leased elsewhere are left to
   * polling: counting them would wake the loop at once, again and again.
   */
  async nextDueAt(now: number, kinds: readonly string[]): Promise<number | undefined> {
    if (kinds.length === 0) return undefined;
    const row = await this.options.db
      .selectFrom('durable_timers')
      .select((eb) => eb.fn.min('due_at').as('next'))
      .where('kind', 'in', kinds)
      .where('due_at', '>', now)
      .executeTakeFirst();
    return row?.next === null || row?.next === undefined ? undefined : Number(row.next);
  }
}

/** The claim on a timer was lost while it ran: the run's transaction must not commit. */
export class LeaseLost extends Error {
  constructor(key: string) {
    super(`the claim on timer ${key} no longer holds`);
  }
}
