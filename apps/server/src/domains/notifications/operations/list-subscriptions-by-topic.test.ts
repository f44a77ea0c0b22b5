import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, TEST_REGION, type TestServer } from '../../../testing/test-server.js';

describeEachDatabase('Tend.ListSubscriptionsByTopic', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  it('lists only the topic’s subscriptions, and pages them', async () => {
    const { TopicArn: mine } = await t.api.tend('CreateTopic', { Name: 'mine' });
    const { TopicArn: theirs } = await t.api.tend('CreateTopic', { Name: 'theirs' });
    for (let i = 0; i < 105; i++) await t.api.tend('Subscribe', { TopicArn: mine, Protocol: 'email', Endpoint: `m${i}@example.com` });
    await t.api.tend('Subscribe', { TopicArn: theirs, Protocol: 'email', Endpoint: 'other@example.com' });
    const first = await t.api.tend('ListSubscriptionsByTopic', { TopicArn: mine });
    const second = await t.api.tend('ListSubscriptionsByTopic', { TopicArn: mine, NextToken: first.NextToken });
    const all = [...first.Subscriptions, ...second.Subscriptions];
    expect(all).toHaveLength(105);
    expect(new Set(all.map((s: { TopicArn: string }) => s.TopicArn))).toEqual(new Set([mine]));
    // A token belongs to its topic's listing.
    await expect(t.api.tend('ListSubscriptionsByTopic', { TopicArn: theirs, NextToken: first.NextToken })).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });

  it('answers NotFoundException for a topic that does not exist', async () => {
    await expect(t.api.tend('ListSubscriptionsByTopic', { TopicArn: `arn:aws:sns:${TEST_REGION}:${TEST_ACCOUNT}:ghost` })).rejects.toMatchObject({
      name: 'NotFoundException',
    });
  });
});
