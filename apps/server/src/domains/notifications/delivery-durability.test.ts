import { afterEach, describe, expect, it } from 'vitest';
import { describeEachDatabase, postgresUnavailableReason, startTestServer, type TestServer } from '../../testing/test-server.js';
import { openDatabase } from '../../storage/database.js';
import { publishInTransaction } from './publish.js';
import { createTopic, settledDeliveries, startReceiver, waitFor, type TestReceiver } from './notification-test-support.js';

/** Servers and receivers a test started, closed after it whatever happened (the first server last: it owns the database). */
function cleanup() {
  const servers: TestServer[] = [];
  const receivers: TestReceiver[] = [];
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
    for (const s of servers.splice(0).reverse()) await s.close();
  });
  return { servers, receivers };
}

describeEachDatabase('notification delivery across restarts', (dialect) => {
  const { servers, receivers } = cleanup();

  it('delivers after a restart a message whose attempt was cut short by the stop', async () => {
    const a = await startTestServer(dialect);
    servers.push(a);
    const hook = await startReceiver((n) => (n === 1 ? 'hang' : 200));
    receivers.push(hook);
    const topic = await createTopic(a, 'restart-mid-delivery');
    await a.api.tend('Subscribe', { TopicArn: topic, Protocol: 'http', Endpoint: hook.url });
    const { MessageId } = await a.api.tend('Publish', { TopicArn: topic, Message: 'survive me' });
    await waitFor(() => hook.requests.length === 1, 5000, 'the first attempt to reach the receiver');

    await a.server.close();
    const b = await startTestServer(dialect, { dataDir: a.dataDir, databaseUrl: a.databaseUrl });
    servers.push(b);

    const [delivery] = await settledDeliveries(b, MessageId, 1);
    // The interrupted attempt was handed back, not counted: the one that got an answer is the first.
    expect(delivery).toMatchObject({ Status: 'Delivered', Attempts: 1 });
    expect(hook.requests.map((r) => JSON.parse(r.body).MessageId)).toEqual([MessageId, MessageId]);
  });

  it('delivers a message committed while no server was running, and nothing from a rolled-back transaction', async () => {
    const a = await startTestServer(dialect);
    servers.push(a);
    const hook = await startReceiver();
    receivers.push(hook);
    const topic = await createTopic(a, 'written-while-down');
    await a.api.tend('Subscribe', { TopicArn: topic, Protocol: 'http', Endpoint: hook.url });
    await a.server.close();

    // Another domain's transaction publishing as part of its own change, as Run Command will.
    const storage = openDatabase({ dataDir: a.dataDir, databaseUrl: a.databaseUrl });
    let committedId: string | undefined;
    try {
      committedId = await storage.db.transaction().execute((trx) => publishInTransaction(trx, { topicArn: topic, message: 'committed' }, { now: Date.now() }));
      await expect(
        storage.db.transaction().execute(async (trx) => {
          await publishInTransaction(trx, { topicArn: topic, message: 'rolled back' }, { now: Date.now() });
          throw new Error('the change failed');
        }),
      ).rejects.toThrow('the change failed');
      const skipped = await storage.db
        .transaction()
        .execute((trx) => publishInTransaction(trx, { topicArn: `${topic}-gone`, message: 'x' }, { now: Date.now(), ifTopicMissing: 'skip' }));
      expect(skipped).toBeUndefined();
    } finally {
      await storage.close();
    }

    const b = await startTestServer(dialect, { dataDir: a.dataDir, databaseUrl: a.databaseUrl });
    servers.push(b);
    await settledDeliveries(b, committedId!, 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(hook.requests.map((r) => JSON.parse(r.body).Message)).toEqual(['committed']);
  });
});

const noPostgres = await postgresUnavailableReason();

describe.skipIf(Boolean(noPostgres))('notification delivery with two replicas on one PostgreSQL database', () => {
  const { servers, receivers } = cleanup();

  it('delivers each message once per subscription, and the survivor carries on when a replica stops', async () => {
    const a = await startTestServer('postgres');
    servers.push(a);
    const b = await startTestServer('postgres', { databaseUrl: a.databaseUrl });
    servers.push(b);
    // B started last, so its root secret is the one in the shared database.
    const onA = a.clientsFor(b.credentials).api;
    const one = await startReceiver();
    const two = await startReceiver();
    receivers.push(one, two);
    const { TopicArn } = await onA.tend('CreateTopic', { Name: 'shared' });
    await onA.tend('Subscribe', { TopicArn, Protocol: 'http', Endpoint: one.url });
    await b.api.tend('Subscribe', { TopicArn, Protocol: 'slack', Endpoint: two.url });

    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const client = i % 2 === 0 ? onA : b.api;
      ids.push((await client.tend('Publish', { TopicArn, Message: `m${i}` })).MessageId);
    }
    await waitFor(async () => {
      const { Deliveries } = await b.api.tend('ListDeliveries', { TopicArn, Status: 'Delivered', MaxResults: 100 });
      return Deliveries.length === 80;
    }, 15_000, 'all 80 deliveries');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(one.requests.map((r) => JSON.parse(r.body).MessageId).sort()).toEqual([...ids].sort());
    expect(two.requests.map((r) => JSON.parse(r.body).text).sort()).toEqual(ids.map((_, i) => `m${i}`).sort());

    // Whichever replica held the outbox lease, stopping A leaves B to fan out and deliver alone.
    await a.server.close();
    const { MessageId } = await b.api.tend('Publish', { TopicArn, Message: 'after A stopped' });
    await settledDeliveries(b, MessageId, 2);
    expect(one.requests).toHaveLength(41);
    expect(two.requests).toHaveLength(41);
  });
});
