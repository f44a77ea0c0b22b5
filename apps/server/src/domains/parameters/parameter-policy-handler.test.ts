import { afterEach, describe, expect, it } from 'vitest';
import { DescribeParametersCommand, GetParameterHistoryCommand, LabelParameterVersionCommand, UpdateServiceSettingCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase, postgresUnavailableReason, TEST_ACCOUNT, TEST_REGION, type TestServer } from '../../testing/test-server.js';
import { createTopic, startReceiver, type TestReceiver } from '../notifications/notification-test-support.js';
import { put } from './operations/test-support.js';
import {
  DAY,
  HOUR,
  TestClock,
  expiration,
  expirationNotification,
  noChangeNotification,
  notificationsDelivered,
  policiesText,
  policyEventsFor,
  startClockedServer,
  useClockedServer,
} from './policy-test-support.js';

const statusesOf = async (t: TestServer, name: string) => {
  const { Parameters } = await t.ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: [name] }] }));
  return Object.fromEntries((Parameters?.[0]?.Policies ?? []).map((p) => [p.PolicyType, p.PolicyStatus]));
};

const timersOf = (t: TestServer, name: string) =>
  t.server.services.db.selectFrom('durable_timers').select(['timer_key', 'due_at']).where('timer_key', 'like', `parameter-policy:${name}:%`).orderBy('timer_key').execute();

describeEachDatabase('parameter policy enforcement', (dialect) => {
  const { clock, server } = useClockedServer(dialect);

  it('deletes a parameter whose Expiration has passed on the next tick, with its versions, labels, tags and timers', async () => {
    const t = server();
    const name = '/policy/expiring';
    await put(t.ssm, name, 'v1', { Tier: 'Advanced', Tags: [{ Key: 'team', Value: 'a' }], Policies: policiesText(expiration(clock.now() + HOUR)) });
    await put(t.ssm, name, 'v2', { Overwrite: true });
    await t.ssm.send(new LabelParameterVersionCommand({ Name: name, ParameterVersion: 1, Labels: ['old'] }));
    expect(await t.server.services.parameters.find(name)).toHaveProperty('record');
    expect(await timersOf(t, name)).toHaveLength(1);

    clock.advance(HOUR - 1000);
    await t.server.timers.runDue();
    expect(await t.server.services.parameters.find(name)).toHaveProperty('record');
    expect(await policyEventsFor(t, name)).toEqual([]);

    clock.advance(1000);
    await t.server.timers.runDue();
    expect(await t.server.services.parameters.find(name)).toEqual({ missing: 'ParameterNotFound' });
    const db = t.server.services.db;
    expect(await db.selectFrom('parameter_versions').select('version').where('name_key', '=', name).execute()).toEqual([]);
    expect(await db.selectFrom('parameter_labels').select('label').where('name_key', '=', name).execute()).toEqual([]);
    expect(await db.selectFrom('resource_tags').select('tag_key').where('resource_id', '=', name).execute()).toEqual([]);
    expect(await timersOf(t, name)).toEqual([]);

    const [event, ...more] = await policyEventsFor(t, name);
    expect(more).toEqual([]);
    expect(event).toEqual({
      version: '0',
      id: expect.any(String),
      'detail-type': 'Parameter Store Policy Action',
      source: 'aws.ssm',
      account: TEST_ACCOUNT,
      time: expect.any(String),
      region: TEST_REGION,
      resources: [`arn:aws:ssm:${TEST_REGION}:${TEST_ACCOUNT}:parameter/policy/expiring`],
      detail: {
        'parameter-name': name,
        'parameter-type': 'String',
        'policy-type': 'Expiration',
        'policy-content': expect.stringContaining('"Type":"Expiration"'),
        'action-status': 'Finished',
        action: 'Delete',
        'action-reason': expect.stringContaining('expired'),
      },
    });
    expect(Math.abs(Date.parse(event!.time) - clock.now())).toBeLessThan(5000);
    // Deleted like DeleteParameter deletes: the same parameter.change event.
    const changes = await db.selectFrom('outbox_events').select('payload').where('event_type', '=', 'parameter.change').execute();
    expect(changes.map((c) => JSON.parse(c.payload)).filter((c) => c.name === name).map((c) => c.operation)).toEqual(['Create', 'Update', 'LabelParameterVersion', 'Delete']);
  });

  it('sends an ExpirationNotification once, and keeps its status over writes that keep or repeat the policy', async () => {
    const t = server();
    const name = '/policy/warned';
    const expiresAt = clock.now() + 3 * DAY;
    const policies = policiesText(expiration(expiresAt), expirationNotification(1, 'Days'));
    await put(t.ssm, name, 'secret-value-1', { Type: 'SecureString', Tier: 'Advanced', Policies: policies });
    expect(await statusesOf(t, name)).toEqual({ Expiration: 'Pending', ExpirationNotification: 'Pending' });

    clock.advance(2 * DAY);
    await t.server.timers.runDue();
    const [warning, ...more] = await policyEventsFor(t, name);
    expect(more).toEqual([]);
    expect(warning!.detail).toMatchObject({ 'policy-type': 'ExpirationNotification', 'action-status': 'Finished', action: 'Notify', 'parameter-type': 'SecureString' });
    expect(warning!.detail['action-reason']).toContain(new Date(expiresAt).toISOString());
    expect(JSON.stringify(warning)).not.toContain('secret-value');
    expect(await statusesOf(t, name)).toEqual({ Expiration: 'Pending', ExpirationNotification: 'Finished' });

    // Two more ticks, a value-only overwrite, and one that sends the same policies again: still one warning.
    await t.server.timers.runDue();
    clock.advance(HOUR);
    await t.server.timers.runDue();
    await put(t.ssm, name, 'secret-value-2', { Overwrite: true });
    await put(t.ssm, name, 'secret-value-3', { Overwrite: true, Policies: policies });
    await t.server.timers.runDue();
    expect(await policyEventsFor(t, name)).toHaveLength(1);
    expect(await statusesOf(t, name)).toEqual({ Expiration: 'Pending', ExpirationNotification: 'Finished' });
    const { Parameters: history } = await t.ssm.send(new GetParameterHistoryCommand({ Name: name }));
    expect(history!.map((v) => v.Policies!.find((p) => p.PolicyType === 'ExpirationNotification')!.PolicyStatus)).toEqual(['Finished', 'Finished', 'Finished']);

    // A changed warning is a new policy: Pending, and due at once (the moment it names has passed).
    await put(t.ssm, name, 'secret-value-4', { Overwrite: true, Policies: policiesText(expiration(expiresAt), expirationNotification(30, 'Hours')) });
    expect(await statusesOf(t, name)).toEqual({ Expiration: 'Pending', ExpirationNotification: 'Pending' });
    await t.server.timers.runDue();
    expect(await policyEventsFor(t, name)).toHaveLength(2);

    // Removing every policy ("[{}]", as Systems Manager documents it) drops the timers too.
    await put(t.ssm, name, 'secret-value-5', { Overwrite: true, Policies: '[{}]' });
    expect(await statusesOf(t, name)).toEqual({});
    expect(await timersOf(t, name)).toEqual([]);
    clock.advance(2 * DAY);
    await t.server.timers.runDue();
    expect(await t.server.services.parameters.find(name)).toHaveProperty('record');
  });

  it('notifies once when a parameter has not changed for the NoChangeNotification period, counting from its last version', async () => {
    const t = server();
    const name = '/policy/stale';
    await put(t.ssm, name, 'v1', { Tier: 'Advanced', Policies: policiesText(noChangeNotification(2, 'Hours')) });
    clock.advance(HOUR + 30 * 60_000);
    await put(t.ssm, name, 'v2', { Overwrite: true });

    // Two hours after v1, but only 30 minutes after v2: nothing yet.
    clock.advance(30 * 60_000);
    await t.server.timers.runDue();
    expect(await policyEventsFor(t, name)).toEqual([]);
    clock.advance(90 * 60_000 - 1000);
    await t.server.timers.runDue();
    expect(await policyEventsFor(t, name)).toEqual([]);

    clock.advance(1000);
    await t.server.timers.runDue();
    clock.advance(5 * HOUR);
    await t.server.timers.runDue();
    const events = await policyEventsFor(t, name);
    expect(events.map((e) => [e.detail['policy-type'], e.detail['action-status']])).toEqual([['NoChangeNotification', 'Finished']]);
    expect(events[0]!.detail['action-reason']).toContain('2 hours');
    expect(await statusesOf(t, name)).toEqual({ NoChangeNotification: 'Finished' });

    // A new version starts the watch again.
    await put(t.ssm, name, 'v3', { Overwrite: true });
    expect(await statusesOf(t, name)).toEqual({ NoChangeNotification: 'Pending' });
    const { Parameters: history } = await t.ssm.send(new GetParameterHistoryCommand({ Name: name }));
    expect(history!.map((v) => v.Policies![0]!.PolicyStatus)).toEqual(['Pending', 'Finished', 'Pending']);
    clock.advance(2 * HOUR);
    await t.server.timers.runDue();
    expect(await policyEventsFor(t, name)).toHaveLength(2);
  });

  it('marks a notification Failed, with the reason, when the policy notification topic is gone', async () => {
    const t = server();
    const name = '/policy/unheard';
    const topic = await clock.atRealTime(() => createTopic(t, 'policy-gone'));
    await t.ssm.send(new UpdateServiceSettingCommand({ SettingId: '/tend/parameter-store/policy-notification-topic', SettingValue: topic }));
    await clock.atRealTime(() => t.api.tend('DeleteTopic', { TopicArn: topic }));
    await put(t.ssm, name, 'v1', { Tier: 'Advanced', Policies: policiesText(noChangeNotification(1, 'Hours')) });
    clock.advance(HOUR);
    await t.server.timers.runDue();
    const [event] = await policyEventsFor(t, name);
    expect(event!.detail).toMatchObject({ 'action-status': 'Failed', 'action-reason': expect.stringContaining('topic no longer exists') });
    expect(await statusesOf(t, name)).toEqual({ NoChangeNotification: 'Failed' });
  });
});

describeEachDatabase('parameter policies stored before they were enforced', (dialect) => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0).reverse()) await s.close();
  });

  it('get their timers when the database is migrated, and act at their own time', async () => {
    const clock = new TestClock();
    const before = await startClockedServer(dialect, clock);
    servers.push(before);
    const name = '/policy/from-before';
    await put(before.ssm, name, 'v', { Tier: 'Advanced', Policies: policiesText(expiration(clock.now() + 2 * DAY), noChangeNotification(1, 'Days')) });
    // Back to a database as it was before migration 0009: policies stored, no timers.
    const db = before.server.services.db;
    await db.schema.dropTable('durable_timers').execute();
    await db.schema.dropTable('service_settings').execute();
    await db.deleteFrom('tend_migrations').where('id', '=', '0009-durable-timers-and-service-settings').execute();
    await before.server.close();

    const after = await startClockedServer(dialect, clock, { dataDir: before.dataDir, databaseUrl: before.databaseUrl });
    servers.push(after);
    // Written due at once by the migration; the first tick (maybe the server's own) sets their real times.
    await after.server.timers.runDue();
    expect((await timersOf(after, name)).map((r) => r.timer_key)).toEqual([`parameter-policy:${name}:Expiration`, `parameter-policy:${name}:NoChangeNotification`]);
    expect(await policyEventsFor(after, name)).toEqual([]);
    expect((await timersOf(after, name)).map((r) => Number(r.due_at) > clock.now())).toEqual([true, true]);
    clock.advance(2 * DAY);
    await after.server.timers.runDue();
    expect((await policyEventsFor(after, name)).map((e) => e.detail['policy-type'])).toEqual(['NoChangeNotification', 'Expiration']);
  });
});

const noPostgres = await postgresUnavailableReason();

describe.skipIf(Boolean(noPostgres))('parameter policies with two replicas on one PostgreSQL database', () => {
  const servers: TestServer[] = [];
  const receivers: TestReceiver[] = [];
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
    for (const s of servers.splice(0).reverse()) await s.close();
  });

  it('acts on each policy once, with one event and one delivery, whichever replica ticks', async () => {
    const clock = new TestClock();
    const a = await startClockedServer('postgres', clock);
    servers.push(a);
    const b = await startClockedServer('postgres', clock, { databaseUrl: a.databaseUrl });
    servers.push(b);
    // B started last, so its root key is the one in the shared database.
    const ssmOnA = clock.follow(a.clientsFor(b.credentials).ssm);
    const hook = await startReceiver();
    receivers.push(hook);
    const topic = await createTopic(b, 'policy-events');
    await b.api.tend('Subscribe', { TopicArn: topic, Protocol: 'http', Endpoint: hook.url });
    await b.ssm.send(new UpdateServiceSettingCommand({ SettingId: '/tend/parameter-store/policy-notification-topic', SettingValue: topic }));

    const expiresAt = clock.now() + 2 * DAY;
    for (let i = 0; i < 10; i++) {
      await put(i % 2 ? ssmOnA : b.ssm, `/replicas/p${i}`, 'v', { Tier: 'Advanced', Policies: policiesText(expiration(expiresAt), expirationNotification(1, 'Days')) });
    }
    clock.advance(DAY);
    await Promise.all([a.server.timers.runDue(), b.server.timers.runDue(), a.server.timers.runDue(), b.server.timers.runDue()]);
    await notificationsDelivered(b, hook, 10);
    clock.advance(DAY);
    await Promise.all([a.server.timers.runDue(), b.server.timers.runDue(), a.server.timers.runDue(), b.server.timers.runDue()]);

    const rows = await b.server.services.db.selectFrom('outbox_events').select('payload').where('event_type', '=', 'parameter.policy').execute();
    const actions = rows.map((r) => JSON.parse(r.payload).detail).map((d) => `${d['parameter-name']} ${d['policy-type']}`).sort();
    expect(actions).toEqual(Array.from({ length: 10 }, (_, i) => [`/replicas/p${i} Expiration`, `/replicas/p${i} ExpirationNotification`]).flat().sort());
    for (let i = 0; i < 10; i++) expect(await b.server.services.parameters.find(`/replicas/p${i}`)).toEqual({ missing: 'ParameterNotFound' });

    await notificationsDelivered(b, hook, 20);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(hook.requests).toHaveLength(20);
  });
});
