import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, type TestServer } from '../../../testing/test-server.js';

describeEachDatabase('Tend.ListSubscriptions', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  it('lists every topic’s subscriptions in SNS’s shape, 100 a page', async () => {
    const { TopicArn: a } = await t.api.tend('CreateTopic', { Name: 'a' });
    const { TopicArn: b } = await t.api.tend('CreateTopic', { Name: 'b' });
    const arns: string[] = [];
    for (let i = 0; i < 110; i++) {
      const { SubscriptionArn } = await t.api.tend('Subscribe', { TopicArn: i % 2 ? a : b, Protocol: 'email', Endpoint: `user${i}@example.com` });
      arns.push(SubscriptionArn);
    }
    const first = await t.api.tend('ListSubscriptions');
    expect(first.Subscriptions).toHaveLength(100);
    const second = await t.api.tend('ListSubscriptions', { NextToken: first.NextToken });
    expect(second).not.toHaveProperty('NextToken');
    const listed = [...first.Subscriptions, ...second.Subscriptions];
    expect(listed.map((s: { SubscriptionArn: string }) => s.SubscriptionArn)).toEqual([...arns].sort());
    expect(listed.find((s: { Endpoint: string }) => s.Endpoint === 'user1@example.com')).toEqual({
      SubscriptionArn: arns[1],
      Owner: TEST_ACCOUNT,
      Protocol: 'email',
      Endpoint: 'user1@example.com',
      TopicArn: a,
    });
  });

  it('refuses a token from another listing', async () => {
    await expect(t.api.tend('ListSubscriptions', { NextToken: 'eyJwIjoiYSIsInEiOiJ4In0' })).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});
