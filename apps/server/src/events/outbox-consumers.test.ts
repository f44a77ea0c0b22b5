import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import pino from 'pino';
import type { Kysely } from 'kysely';
import { describeEachDatabase, startTestServer, type TestServer } from '../testing/test-server.js';
import type { Database } from '../storage/schema.js';
import { OutboxConsumers, type OutboxEvent, type OutboxConsumersOptions } from './outbox-consumers.js';
import { signalOutboxWritten } from './outbox-signal.js';

const TEST_EVENT = 'test.event';
let consumerSeq = 0;

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describeEachDatabase('outbox consumers', (dialect) => {
  let t: TestServer;
  let db: Kysely<Database>;
  const runners: OutboxConsumers[] = [];
  // Each test reads with its own consumer name, so it starts at the beginning and sees only what it wrote (filtered by type).
  let name: string;
  let eventType: string;

  beforeAll(async () => {
    t = await startTestServer(dialect);
    db = t.server.services.db;
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
  });
  afterAll(async () => t?.close());

  function runner(handler: (e: OutboxEvent, trx: Kysely<Database>) => Promise<void>, options: Partial<OutboxConsumersOptions> = {}) {
    const r = new OutboxConsumers({ db, dialect, logger: pino({ level: 'silent' }), pollIntervalMs: 20, settleMs: 100, ...options });
    r.registerConsumer(name, handler, { eventTypes: [eventType] });
    runners.push(r);
    return r;
  }

  async function write(count: number, from = 0, into: Kysely<Database> = db): Promise<void> {
    for (let i = from; i < from + count; i++) {
      await into.insertInto('outbox_events').values({ event_type: eventType, occurred_at: Date.now(), payload: JSON.stringify({ n: i }) }).execute();
    }
  }

  const ns = (events: OutboxEvent[]) => events.map((e) => (e.payload as { n: number }).n);

  it('hands every event to the handler once, in id order, and a new runner resumes after the cursor', async () => {
    name = `ordered-${++consumerSeq}`;
    eventType = `${TEST_EVENT}.${name}`;
    const seen: OutboxEvent[] = [];
    await write(250);
    const first = runner(async (e) => void seen.push(e), { batchSize: 40 });
    first.start();
    await until(() => seen.length === 250);
    expect(ns(seen)).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(seen.map((e) => e.id)).toEqual([...seen.map((e) => e.id)].sort((a, b) => a - b));
    await first.stop();

    await write(5, 250);
    const again: OutboxEvent[] = [];
    runner(async (e) => void again.push(e)).start();
    await until(() => again.length === 5);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ns(again)).toEqual([250, 251, 252, 253, 254]);
  });

  it('lets one runner of two hold the lease, and the other take over when it stops', async () => {
    name = `leased-${++consumerSeq}`;
    eventType = `${TEST_EVENT}.${name}`;
    const byRunner: Record<string, number[]> = { a: [], b: [] };
    const a = runner(async (e) => void byRunner.a!.push((e.payload as { n: number }).n));
    const b = runner(async (e) => void byRunner.b!.push((e.payload as { n: number }).n));
    a.start();
    await until(async () => (await db.selectFrom('event_consumers').select('lease_owner').where('name', '=', name).executeTakeFirst())?.lease_owner === a.owner);
    b.start();
    await write(20);
    await until(() => byRunner.a!.length === 20);
    expect(byRunner.b).toEqual([]);

    await a.stop();
    await write(10, 20);
    await until(() => byRunner.b!.length === 10);
    expect(byRunner.b).toEqual(Array.from({ length: 10 }, (_, i) => 20 + i));
    expect(byRunner.a).toHaveLength(20);
  });

  it('moves a crashed holder’s work to another runner once its lease expires', async () => {
    name = `crashed-${++consumerSeq}`;
    eventType = `${TEST_EVENT}.${name}`;
    let now = Date.now();
    const clock = () => now;
    const seen: number[] = [];
    // The "crashed" runner takes the lease and never comes back: it is never started, and never stopped.
    const crashed = new OutboxConsumers({ db, dialect, logger: pino({ level: 'silent' }), now: clock, leaseMs: 10_000 });
    crashed.registerConsumer(name, async () => {
      throw new Error('never handles anything');
    });
    await write(3);
    await expect(crashed.runOnce(name)).rejects.toThrow('never handles anything');

    const survivor = runner(async (e) => void seen.push((e.payload as { n: number }).n), { now: clock, leaseMs: 10_000 });
    survivor.start();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(seen).toEqual([]);
    now += 10_001;
    await until(() => seen.length === 3);
    expect(seen).toEqual([0, 1, 2]);
  });

  it('retries a batch whose handler failed, so nothing is lost, and rolls back what the handler wrote', async () => {
    name = `failing-${++consumerSeq}`;
    eventType = `${TEST_EVENT}.${name}`;
    let failures = 0;
    const calls: number[] = [];
    await write(4);
    runner(async (e, trx) => {
      const n = (e.payload as { n: number }).n;
      calls.push(n);
      await trx.insertInto('outbox_events').values({ event_type: `${eventType}.side-effect`, occurred_at: 0, payload: String(n) }).execute();
      if (n === 2 && failures++ === 0) throw new Error('transient');
    }).start();
    const sideEffects = () => db.selectFrom('outbox_events').select('payload').where('event_type', '=', `${eventType}.side-effect`).orderBy('id').execute();
    await until(async () => (await sideEffects()).length === 4);
    // The first pass stopped at event 2 and rolled back; the second did all four, once.
    expect(calls).toEqual([0, 1, 2, 0, 1, 2, 3]);
    expect((await sideEffects()).map((r) => r.payload)).toEqual(['0', '1', '2', '3']);
  });

  it('reads at once when this process signals a write, rather than at the next poll', async () => {
    name = `woken-${++consumerSeq}`;
    eventType = `${TEST_EVENT}.${name}`;
    const seen: number[] = [];
    runner(async (e) => void seen.push((e.payload as { n: number }).n), { pollIntervalMs: 60_000 }).start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await write(1);
    signalOutboxWritten();
    await until(() => seen.length === 1, 2000);
  });

  if (dialect === 'postgres') {
    it('waits for an event still in an open transaction instead of skipping past it, and steps over a rolled-back id', async () => {
      name = `in-flight-${++consumerSeq}`;
      eventType = `${TEST_EVENT}.${name}`;
      const seen: number[] = [];
      runner(async (e) => void seen.push((e.payload as { n: number }).n)).start();

      // Event 0 takes its id first but commits after event 1 is visible.
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let inserted!: () => void;
      const insertedOne = new Promise<void>((resolve) => (inserted = resolve));
      const slow = db.transaction().execute(async (trx) => {
        await write(1, 0, trx);
        inserted();
        await held;
      });
      await insertedOne;
      await write(1, 1);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(seen).toEqual([]);
      release();
      await slow;
      await until(() => seen.length === 2);
      expect(seen).toEqual([0, 1]);

      // Event 2's transaction rolls back: its id never appears, and the consumer must not stall on it.
      await expect(
        db.transaction().execute(async (trx) => {
          await write(1, 2, trx);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      await write(1, 3);
      await until(() => seen.length === 3, 5000);
      expect(seen).toEqual([0, 1, 3]);
    });
  }
});
