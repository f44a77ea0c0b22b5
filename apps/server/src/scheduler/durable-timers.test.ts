import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.js';
import { openDatabase, type StorageHandle } from '../storage/database.js';
import { describeEachDatabase, postgresUnavailableReason, startTestServer, type TestDialect, type TestServer } from '../testing/test-server.js';
import { DurableTimersStore, LeaseLost, cancelTimers, scheduleTimer, type ClaimedTimer } from './durable-timers.store.js';
import { DurableTimerLoop, type TimerHandler } from './durable-timer-loop.js';

const silent = pino({ level: 'silent' });
let kindSeq = 0;

/** A server whose own timer loop is stopped, so only the loops a test makes touch its timers. */
async function quietServer(dialect: TestDialect): Promise<TestServer> {
  const t = await startTestServer(dialect);
  await t.server.timers.stop();
  return t;
}

/** A loop with its own store and owner on `db`, and a test clock. */
function loopOn(db: Kysely<Database>, dialect: TestDialect, clock: () => number, options: { leaseMs?: number; maxAttempts?: number } = {}) {
  const store = new DurableTimersStore({ db, dialect, owner: `test-${++kindSeq}`, leaseMs: options.leaseMs ?? 60_000 });
  return { store, loop: new DurableTimerLoop({ db, store, logger: silent, now: clock, maxAttempts: options.maxAttempts, retryDelayMs: 1000 }) };
}

/** A handler that records each run as an outbox event of its own type (so the write commits with the timer's end). */
function recordingHandler(eventType: string, outcome: (timer: ClaimedTimer) => { done: true } | { rescheduleAt: number } = () => ({ done: true })): TimerHandler {
  return {
    async run(timer, trx) {
      await trx.insertInto('outbox_events').values({ event_type: eventType, occurred_at: 0, payload: JSON.stringify(timer.payload) }).execute();
      return outcome(timer);
    },
  };
}

async function recorded(db: Kysely<Database>, eventType: string): Promise<unknown[]> {
  const rows = await db.selectFrom('outbox_events').select('payload').where('event_type', '=', eventType).orderBy('id').execute();
  return rows.map((r) => JSON.parse(r.payload));
}

describeEachDatabase('durable timers', (dialect) => {
  let t: TestServer;
  let db: Kysely<Database>;
  let now = 1_700_000_000_000;
  const clock = () => now;

  beforeAll(async () => {
    t = await quietServer(dialect);
    db = t.server.services.db;
  });
  afterAll(async () => t?.close());

  it('runs a timer once when it falls due, with its handler’s writes in the same transaction, even on a new loop (a restart)', async () => {
    const kind = `test.once.${++kindSeq}`;
    await db.transaction().execute((trx) => scheduleTimer(trx, { key: `${kind}:a`, kind, dueAt: now + 5000, payload: { n: 1 } }, now));

    const first = loopOn(db, dialect, clock);
    first.loop.handle(kind, recordingHandler(kind));
    expect(await first.loop.runDue()).toBe(0);
    expect(await recorded(db, kind)).toEqual([]);

    // The replica that scheduled it is gone; another one finds the timer in the database.
    now += 5000;
    const second = loopOn(db, dialect, clock);
    second.loop.handle(kind, recordingHandler(kind));
    expect(await second.loop.runDue()).toBe(1);
    expect(await second.loop.runDue()).toBe(0);
    expect(await recorded(db, kind)).toEqual([{ n: 1 }]);
    expect(await db.selectFrom('durable_timers').select('timer_key').where('kind', '=', kind).execute()).toEqual([]);
  });

  it('moves a timer scheduled again under the same key, reschedules on request, and forgets a cancelled one', async () => {
    const kind = `test.move.${++kindSeq}`;
    const schedule = (key: string, dueAt: number, payload: unknown) => db.transaction().execute((trx) => scheduleTimer(trx, { key, kind, dueAt, payload }, now));
    await schedule(`${kind}:moved`, now + 1000, 'first');
    await schedule(`${kind}:moved`, now + 3000, 'second');
    await schedule(`${kind}:cancelled`, now + 1000, 'never');
    await db.transaction().execute((trx) => cancelTimers(trx, [`${kind}:cancelled`]));
    await schedule(`${kind}:again`, now + 1000, 'again');

    const { loop } = loopOn(db, dialect, clock);
    let runs = 0;
    loop.handle(kind, recordingHandler(kind, (timer) => (timer.payload === 'again' && ++runs === 1 ? { rescheduleAt: now + 10_000 } : { done: true })));
    now += 1000;
    expect(await loop.runDue()).toBe(1);
    expect(await recorded(db, kind)).toEqual(['again']);
    now += 2000;
    expect(await loop.runDue()).toBe(1);
    expect(await recorded(db, kind)).toEqual(['again', 'second']);
    now += 7999;
    expect(await loop.runDue()).toBe(0);
    now += 1;
    expect(await loop.runDue()).toBe(1);
    expect(await recorded(db, kind)).toEqual(['again', 'second', 'again']);
  });

  it('runs due timers by itself once started, and stops cleanly', async () => {
    const kind = `test.started.${++kindSeq}`;
    const store = new DurableTimersStore({ db, dialect, owner: 'started', leaseMs: 60_000 });
    const loop = new DurableTimerLoop({ db, store, logger: silent, now: clock, pollIntervalMs: 20 });
    loop.handle(kind, recordingHandler(kind));
    loop.start();
    try {
      await db.transaction().execute((trx) => scheduleTimer(trx, { key: `${kind}:x`, kind, dueAt: now, payload: 'by itself' }, now));
      const deadline = Date.now() + 5000;
      while ((await recorded(db, kind)).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      await loop.stop();
    }
    expect(await recorded(db, kind)).toEqual(['by itself']);
  });

  it('leaves timers of kinds it has no handler for to replicas that have one', async () => {
    const kind = `test.unknown.${++kindSeq}`;
    await db.transaction().execute((trx) => scheduleTimer(trx, { key: `${kind}:x`, kind, dueAt: now, payload: 'x' }, now));
    const older = loopOn(db, dialect, clock);
    older.loop.handle(`${kind}.other`, recordingHandler(kind));
    expect(await older.loop.runDue()).toBe(0);
    expect(await db.selectFrom('durable_timers').select(['attempts', 'lease_token']).where('timer_key', '=', `${kind}:x`).executeTakeFirst()).toEqual({ attempts: 0, lease_token: null });
    const newer = loopOn(db, dialect, clock);
    newer.loop.handle(kind, recordingHandler(kind));
    expect(await newer.loop.runDue()).toBe(1);
  });

  it('retries a failing run with backoff, rolling back its writes, and gives it up after maxAttempts', async () => {
    const kind = `test.failing.${++kindSeq}`;
    await db.transaction().execute((trx) => scheduleTimer(trx, { key: `${kind}:x`, kind, dueAt: now, payload: null }, now));
    const givenUp: string[] = [];
    const { loop } = loopOn(db, dialect, clock, { maxAttempts: 3 });
    loop.handle(kind, {
      async run(_timer, trx) {
        await trx.insertInto('outbox_events').values({ event_type: kind, occurred_at: 0, payload: '"partial"' }).execute();
        throw new Error('the handler broke');
      },
      async giveUp(_timer, trx, reason) {
        givenUp.push(reason);
        await trx.insertInto('outbox_events').values({ event_type: `${kind}.given-up`, occurred_at: 0, payload: JSON.stringify(reason) }).execute();
      },
    });
    expect(await loop.runDue()).toBe(0);
    const row = await db.selectFrom('durable_timers').selectAll().where('timer_key', '=', `${kind}:x`).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ attempts: 1, last_error: 'the handler broke', lease_token: null });
    expect(Number(row.due_at)).toBe(now + 1000);
    expect(await loop.runDue()).toBe(0);
    expect((await db.selectFrom('durable_timers').select('attempts').where('timer_key', '=', `${kind}:x`).executeTakeFirstOrThrow()).attempts).toBe(1);

    now += 1000;
    await loop.runDue();
    now += 2000;
    await loop.runDue();
    expect(givenUp).toEqual(['the handler broke']);
    expect(await recorded(db, kind)).toEqual([]);
    expect(await recorded(db, `${kind}.given-up`)).toEqual(['the handler broke']);
    expect(await db.selectFrom('durable_timers').select('timer_key').where('kind', '=', kind).execute()).toEqual([]);
  });

  it('lets a timer whose lease expired run elsewhere, and rolls back the run that lost its claim', async () => {
    const kind = `test.lease.${++kindSeq}`;
    await db.transaction().execute((trx) => scheduleTimer(trx, { key: `${kind}:x`, kind, dueAt: now, payload: 'x' }, now));
    const slow = loopOn(db, dialect, clock, { leaseMs: 10_000 });
    const [claimed] = await slow.store.claimDue(now, 10, [kind]);
    expect(claimed?.key).toBe(`${kind}:x`);

    // Within the lease nobody else gets it; after it, another replica does and finishes it.
    const other = loopOn(db, dialect, clock, { leaseMs: 10_000 });
    other.loop.handle(kind, recordingHandler(kind));
    expect(await other.loop.runDue()).toBe(0);
    now += 10_001;
    expect(await other.loop.runDue()).toBe(1);

    expect(await recorded(db, kind)).toEqual(['x']);

    // The first holder finally finishes a run of a timer someone else now holds: refused, so its writes roll back.
    await db.transaction().execute((trx) => scheduleTimer(trx, { key: `${kind}:y`, kind, dueAt: now, payload: 'y' }, now));
    const [mine] = await slow.store.claimDue(now, 10, [kind]);
    now += 10_001;
    const [theirs] = await other.store.claimDue(now, 10, [kind]);
    expect(theirs?.key).toBe(`${kind}:y`);
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('outbox_events').values({ event_type: kind, occurred_at: 0, payload: '"late"' }).execute();
        await slow.store.finish(trx, mine!, { done: true }, now);
      }),
    ).rejects.toBeInstanceOf(LeaseLost);
    expect(await recorded(db, kind)).toEqual(['x']);
    expect(await db.selectFrom('durable_timers').select('lease_token').where('timer_key', '=', `${kind}:y`).executeTakeFirstOrThrow()).toEqual({ lease_token: theirs!.token });
  });
});

const noPostgres = await postgresUnavailableReason();

describe.skipIf(Boolean(noPostgres))('durable timers with two replicas on one PostgreSQL database', () => {
  let t: TestServer;
  let second: StorageHandle;

  beforeAll(async () => {
    t = await quietServer('postgres');
    // The second replica has its own connection pool, as another server process would.
    second = openDatabase({ dataDir: t.dataDir, databaseUrl: t.databaseUrl });
  });
  afterAll(async () => {
    await second?.close();
    await t?.close();
  });

  it('runs each due timer exactly once between them', async () => {
    const db = t.server.services.db;
    const kind = `test.replicas.${++kindSeq}`;
    const now = 1_700_000_000_000;
    const count = 120;
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < count; i++) await scheduleTimer(trx, { key: `${kind}:${String(i).padStart(3, '0')}`, kind, dueAt: now - i, payload: i }, now);
    });
    const a = loopOn(db, 'postgres', () => now);
    const b = loopOn(second.db, 'postgres', () => now);
    a.loop.handle(kind, recordingHandler(kind));
    b.loop.handle(kind, recordingHandler(kind));
    const [byA, byB] = await Promise.all([a.loop.runDue(), b.loop.runDue()]);
    expect(byA + byB).toBe(count);
    const runs = (await recorded(db, kind)) as number[];
    expect(runs).toHaveLength(count);
    expect(new Set(runs).size).toBe(count);
  });
});
