import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../../../testing/test-server.js';
import { createUserWithKey, policyDocument } from '../../iam/iam-test-fixtures.js';
import { retryPolicy, settledDeliveries, startReceiver, type TestReceiver } from '../notification-test-support.js';

describeEachDatabase('Tend.ListDeliveries', (dialect) => {
  let t: TestServer;
  const receivers: TestReceiver[] = [];
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });
  afterAll(async () => t?.close());

  it('shows one delivery per subscription with its status, attempts and times, filtered and paged', async () => {
    const ok = await startReceiver();
    const failing = await startReceiver(() => 500);
    receivers.push(ok, failing);
    const { TopicArn } = await t.api.tend('CreateTopic', { Name: 'listed' });
    const good = await t.api.tend('Subscribe', { TopicArn, Protocol: 'http', Endpoint: ok.url });
    const bad = await t.api.tend('Subscribe', { TopicArn, Protocol: 'http', Endpoint: failing.url, Attributes: { DeliveryPolicy: retryPolicy(60, 60, 3) } });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await t.api.tend('Publish', { TopicArn, Message: `n${i}` })).MessageId);
    for (const id of ids) await settledDeliveries(t, id, 2, ['Delivered', 'Retrying']);

    const { Deliveries } = await t.api.tend('ListDeliveries', { TopicArn });
    expect(Deliveries).toHaveLength(6);
    // Newest first.
    expect(Deliveries.map((d: { DeliveryId: string }) => Number(d.DeliveryId))).toEqual([...Deliveries.map((d: { DeliveryId: string }) => Number(d.DeliveryId))].sort((a, b) => b - a));
    const delivered = Deliveries.find((d: { SubscriptionArn: string }) => d.SubscriptionArn === good.SubscriptionArn);
    expect(delivered).toEqual({
      DeliveryId: expect.any(String),
      MessageId: expect.any(String),
      TopicArn,
      SubscriptionArn: good.SubscriptionArn,
      Protocol: 'http',
      Endpoint: ok.url,
      Status: 'Delivered',
      Attempts: 1,
      LastAttemptTime: expect.any(Number),
      DeliveredTime: expect.any(Number),
      CreatedTime: expect.any(Number),
    });
    const retrying = Deliveries.find((d: { SubscriptionArn: string }) => d.SubscriptionArn === bad.SubscriptionArn);
    expect(retrying).toMatchObject({ Status: 'Retrying', Attempts: 1, LastError: expect.stringContaining('HTTP 500') });
    expect(retrying.NextAttemptTime - retrying.LastAttemptTime).toBeGreaterThanOrEqual(59);

    const bySubscription = await t.api.tend('ListDeliveries', { SubscriptionArn: bad.SubscriptionArn, Status: 'Retrying' });
    expect(bySubscription.Deliveries).toHaveLength(3);
    const page1 = await t.api.tend('ListDeliveries', { TopicArn, MaxResults: 4 });
    const page2 = await t.api.tend('ListDeliveries', { TopicArn, MaxResults: 4, NextToken: page1.NextToken });
    expect(page1.Deliveries).toHaveLength(4);
    expect(page2.Deliveries).toHaveLength(2);
    expect(page2).not.toHaveProperty('NextToken');
    await expect(t.api.tend('ListDeliveries', { TopicArn, Status: 'Delivered', NextToken: page1.NextToken })).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });

    // Unsubscribing ends what was still waiting for that subscriber.
    await t.api.tend('Unsubscribe', { SubscriptionArn: bad.SubscriptionArn });
    const ended = await t.api.tend('ListDeliveries', { SubscriptionArn: bad.SubscriptionArn });
    expect(ended.Deliveries.map((d: { Status: string; LastError: string }) => [d.Status, d.LastError])).toEqual(
      Array(3).fill(['Failed', 'The subscription was deleted before the message was delivered']),
    );
  });

  it('refuses an unknown status, and needs sns:ListDeliveries on the topic', async () => {
    await expect(t.api.tend('ListDeliveries', { Status: 'Lost' })).rejects.toMatchObject({ name: 'ValidationException' });
    const { TopicArn } = await t.api.tend('CreateTopic', { Name: 'audited' });
    const user = await createUserWithKey(t, 'auditor', policyDocument({ Effect: 'Allow', Action: 'sns:ListDeliveries', Resource: TopicArn }));
    await expect(user.api.tend('ListDeliveries', { TopicArn })).resolves.toEqual({ Deliveries: [] });
    await expect(user.api.tend('ListDeliveries', {})).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});
