import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../storage/schema.js';
import type { Dialect } from '../storage/database.js';
import { CommitHorizon, type TransactionSnapshot } from './commit-horizon.js';
import { onOutboxWritten } from './outbox-signal.js';

/** One row of `outbox_events`, its payload parsed. */
export interface OutboxEvent {
  id: number;
  type: string;
  occurredAt: number;
  payload: unknown;
}

/**
 * Handles one event, inside the transaction that also moves the consumer's
 * cursor past it: what the handler writes and the cursor commit together, so
 * database-only handlers take effect once. A handler that reaches outside the
 * database (or whose transaction fails after it ran) sees the event again:
 * delivery is at least once, so handlers must be idempotent by event id.
 */
export type OutboxHandler = (event: OutboxEvent, trx: Kysely<Database>) => Promise<void>;

export interface ConsumerOptions {
  /** Only these event types reach the handler; the cursor still moves over the others. */
  eventTypes?: readonly string[];
  /** Called after a commit in which the handler ran at least once (e.g. to wake whoever acts on what it wrote). */
  afterCommit?: () => void;
}

export interface OutboxConsumersOptions {
  db: Kysely<Database>;
  dialect: Dialect;
  logger: Logger;
  /** Clock for leases, in epoch milliseconds. */
  now?: () => number;
  /** Lease owner name; unique per runner (host/pid/random by default). */
  owner?: string;
  /** How often an idle consumer looks for new events (default 500 ms). */
  pollIntervalMs?: number;
  /** How long a lease lasts without renewal; a crashed holder's work moves to another replica after this (default 30 s). */
  leaseMs?: number;
  /** Events read and handled per transaction (default 100). */
  batchSize?: number;
  /** PostgreSQL: see CommitHorizon (default 1 s). */
  settleMs?: number;
}

/** 'more': a full batch was handled; 'blocked': stopped at a hole that may still fill (PostgreSQL), look again soon. */
export type RunResult = 'more' | 'idle' | 'blocked';

/**
 * Named consumers of the outbox (DESIGN.md, "Events, not callbacks"). Each
 * consumer reads `outbox_events` in id order from its cursor in
 * `event_consumers`. A lease in the same row (owner + expiry, taken by a
 * compare-and-set UPDATE, renewed with every batch) lets exactly one replica
 * advance a consumer at a time; if it dies, another takes over when the
 * lease expires, from the last committed cursor. Nothing is lost: the cursor
 * only moves in the transaction that handled the events, and on PostgreSQL
 * never past an event that may still be committing (CommitHorizon).
 */
export class OutboxConsumers {
  private readonly loops = new Map<string, ConsumerLoop>();
  private readonly settings: Required<Omit<OutboxConsumersOptions, 'db' | 'dialect' | 'logger'>>;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: OutboxConsumersOptions) {
    this.settings = {
      now: options.now ?? Date.now,
      owner: options.owner ?? `${os.hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`,
      pollIntervalMs: options.pollIntervalMs ?? 500,
      leaseMs: options.leaseMs ?? 30_000,
      batchSize: options.batchSize ?? 100,
      settleMs: options.settleMs ?? 1000,
    };
  }

  /** The lease owner name this runner writes. */
  get owner(): string {
    return this.settings.owner;
  }

  /** Adds a consumer; a new one starts at the beginning of the outbox. Register before `start`. */
  registerConsumer(name: string, handler: OutboxHandler, options: ConsumerOptions = {}): void {
    if (this.loops.has(name)) throw new Error(`outbox consumer ${name} is registered twice`);
    this.loops.set(name, new ConsumerLoop(name, handler, options, this.options, this.settings));
  }

  start(): void {
    this.unsubscribe ??= onOutboxWritten(() => this.wake());
    for (const loop of this.loops.values()) loop.start();
  }

  /** Reads now rather than at the next poll (this process just wrote an event). */
  wake(): void {
    for (const loop of this.loops.values()) loop.wake();
  }

  /** Stops every consumer after its batch in progress and gives up their leases, so another replica need not wait for expiry. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await Promise.all([...this.loops.values()].map((loop) => loop.stop()));
  }

  /** Runs one read-handle-commit step of a consumer, for tests: 'more' when a full batch was handled. */
  runOnce(name: string): Promise<RunResult> {
    const loop = this.loops.get(name);
    if (!loop) throw new Error(`no outbox consumer named ${name}`);
    return loop.runOnce();
  }
}

class LeaseLost extends Error {}

const MAX_ERROR_DELAY_MS = 30_000;

class ConsumerLoop {
  private readonly horizon: CommitHorizon;
  private readonly types: Set<string> | undefined;
  private stopped = true;
  private busy = false;
  private wakeRequested = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private errorDelayMs = 0;

  constructor(
    private readonly name: string,
    private readonly handler: OutboxHandler,
    private readonly consumer: ConsumerOptions,
    private readonly base: OutboxConsumersOptions,
    private readonly settings: Required<Omit<OutboxConsumersOptions, 'db' | 'dialect' | 'logger'>>,
  ) {
    this.horizon = new CommitHorizon(settings.settleMs);
    this.types = consumer.eventTypes ? new Set(consumer.eventTypes) : undefined;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  wake(): void {
    if (this.stopped) return;
    if (this.busy) this.wakeRequested = true;
    else this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.base.db
      .updateTable('event_consumers')
      .set({ lease_owner: null, lease_expires_at: null })
      .where('name', '=', this.name)
      .where('lease_owner', '=', this.settings.owner)
      .execute()
      .catch((err) => this.base.logger.warn({ err, consumer: this.name }, 'could not release the outbox consumer lease; it expires by itself'));
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), delayMs);
    this.timer.unref();
  }

  private tick(): void {
    this.busy = true;
    this.wakeRequested = false;
    this.running = this.runOnce()
      .then((result) => {
        this.errorDelayMs = 0;
        if (result === 'more' || this.wakeRequested) return 0;
        // A hole resolves within a few looks spread over settleMs, whatever the poll interval.
        if (result === 'blocked') return Math.min(this.settings.pollIntervalMs, Math.max(20, this.settings.settleMs / 4));
        return this.settings.pollIntervalMs;
      })
      .catch((err) => {
        // Database trouble or a failing handler: retry the same events later, backing off so a persistent fault does not flood the log.
        this.errorDelayMs = Math.min(MAX_ERROR_DELAY_MS, Math.max(this.settings.pollIntervalMs, this.errorDelayMs * 2));
        this.base.logger.error({ err, consumer: this.name, retryInMs: this.errorDelayMs }, 'outbox consumer failed; retrying the same events');
        return this.errorDelayMs;
      })
      .then((delay) => {
        this.busy = false;
        this.schedule(delay);
      });
  }

  /** Takes or renews the lease, reads the next events and handles them in one transaction with the cursor move. */
  async runOnce(): Promise<RunResult> {
    const position = await this.acquireLease();
    if (position === undefined) return 'idle';
    // The snapshot is taken before the read, so what had committed by then is in what we read (CommitHorizon relies on it).
    const snapshot = this.base.dialect === 'postgres' ? await this.readSnapshot() : undefined;
    const rows = await this.base.db
      .selectFrom('outbox_events')
      .select(['id', 'event_type', 'occurred_at', 'payload'])
      .where('id', '>', position)
      .orderBy('id')
      .limit(this.settings.batchSize)
      .execute();

    const ready: typeof rows = [];
    let blocked = false;
    let expected = position + 1;
    for (const row of rows) {
      const id = Number(row.id);
      if (id !== expected && snapshot && !this.horizon.canSkip(expected, id - 1)) {
        if (!this.horizon.observe(expected, await this.maxVisibleId(), this.settings.now(), snapshot)) {
          blocked = true;
          break;
        }
      }
      ready.push(row);
      expected = id + 1;
    }
    if (ready.length === 0) return blocked ? 'blocked' : 'idle';

    let handled = 0;
    const last = Number(ready[ready.length - 1]!.id);
    await this.base.db.transaction().execute(async (trx) => {
      for (const row of ready) {
        if (this.types && !this.types.has(row.event_type)) continue;
        await this.handler({ id: Number(row.id), type: row.event_type, occurredAt: Number(row.occurred_at), payload: parsePayload(row.payload) }, trx);
        handled++;
      }
      const now = this.settings.now();
      // Fenced on owner and old position: if the lease moved on while we worked, the batch rolls back and its new holder redoes it.
      const moved = await trx
        .updateTable('event_consumers')
        .set({ position: last, lease_expires_at: now + this.settings.leaseMs, updated_at: now })
        .where('name', '=', this.name)
        .where('lease_owner', '=', this.settings.owner)
        .where('position', '=', position)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) throw new LeaseLost(`lost the lease of outbox consumer ${this.name}`);
    });
    if (handled > 0) this.consumer.afterCommit?.();
    if (blocked) return 'blocked';
    return rows.length === this.settings.batchSize ? 'more' : 'idle';
  }

  private async maxVisibleId(): Promise<number> {
    const row = await this.base.db.selectFrom('outbox_events').select((eb) => eb.fn.max('id').as('max')).executeTakeFirst();
    return Number(row?.max ?? 0);
  }

  /**
   * The cursor when this runner holds (or just took) the lease; undefined
   * when another replica holds it. A lease with more than half its time left
   * is used as it is, so an idle holder reads rather than writes at every poll.
   */
  private async acquireLease(): Promise<number | undefined> {
    const { owner, leaseMs } = this.settings;
    const now = this.settings.now();
    const current = await this.base.db
      .selectFrom('event_consumers')
      .select(['position', 'lease_owner', 'lease_expires_at'])
      .where('name', '=', this.name)
      .executeTakeFirst();
    if (!current) {
      // A new consumer starts at the beginning; the insert that wins also takes the lease.
      const inserted = await this.base.db
        .insertInto('event_consumers')
        .values({ name: this.name, position: 0, lease_owner: owner, lease_expires_at: now + leaseMs, updated_at: now })
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1 ? 0 : undefined;
    }
    const expiresAt = current.lease_expires_at === null ? null : Number(current.lease_expires_at);
    if (current.lease_owner === owner && expiresAt !== null && expiresAt - now > leaseMs / 2) return Number(current.position);
    if (current.lease_owner !== null && current.lease_owner !== owner && expiresAt !== null && expiresAt >= now) return undefined;
    // Compare-and-set on what was read: of two replicas racing for an expired lease, one update matches.
    const taken = await this.base.db
      .updateTable('event_consumers')
      .set({ lease_owner: owner, lease_expires_at: now + leaseMs, updated_at: now })
      .where('name', '=', this.name)
      .where((eb) =>
        eb.and([
          current.lease_owner === null ? eb('lease_owner', 'is', null) : eb('lease_owner', '=', current.lease_owner),
          expiresAt === null ? eb('lease_expires_at', 'is', null) : eb('lease_expires_at', '=', expiresAt),
        ]),
      )
      .returning('position')
      .executeTakeFirst();
    return taken ? Number(taken.position) : undefined;
  }

  private async readSnapshot(): Promise<TransactionSnapshot> {
    const { rows } = await sql<{ xmin: string; xmax: string }>`
      select pg_snapshot_xmin(s)::text as xmin, pg_snapshot_xmax(s)::text as xmax from pg_current_snapshot() as s`.execute(this.base.db);
    return { xmin: Number(rows[0]!.xmin), xmax: Number(rows[0]!.xmax) };
  }
}

function parsePayload(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Every writer stores JSON; should one not, the handler still gets the event rather than the consumer stalling on it.
    return text;
  }
}
