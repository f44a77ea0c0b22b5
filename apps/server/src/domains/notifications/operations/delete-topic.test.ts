import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, TEST_REGION, type TestServer } from '../../../testing/test-server.js';

describeEachDatabase('Tend.DeleteTopic', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  it('deletes the topic and its subscriptions', async () => {
    const { TopicArn } = await t.api.tend('CreateTopic', { Name: 'short-lived' });
    const { SubscriptionArn } = await t.api.tend('Subscribe', { TopicArn, Protocol: 'email', Endpoint: 'a@example.com' });
    await expect(t.api.tend('DeleteTopic', { TopicArn })).resolves.toEqual({});
    await expect(t.api.tend('GetTopicAttributes', { TopicArn })).rejects.toMatchObject({ name: 'NotFoundException', status: 404 });
    await expect(t.api.tend('GetSubscriptionAttributes', { SubscriptionArn })).rejects.toMatchObject({ name: 'NotFoundException' });
    const { Topics } = await t.api.tend('ListTopics');
    expect(Topics).toEqual([]);
  });

  it('succeeds for a topic that does not exist, as SNS documents', async () => {
    await expect(t.api.tend('DeleteTopic', { TopicArn: `arn:aws:sns:${TEST_REGION}:${TEST_ACCOUNT}:never-was` })).resolves.toEqual({});
  });

  it('refuses a malformed ARN', async () => {
    await expect(t.api.tend('DeleteTopic', { TopicArn: 'not-an-arn' })).rejects.toMatchObject({ name: 'InvalidParameterException', message: 'Invalid parameter: TopicArn' });
  });

  it('lets a deleted topic’s name be used again, without the old subscriptions', async () => {
    const { TopicArn } = await t.api.tend('CreateTopic', { Name: 'phoenix', Attributes: { DisplayName: 'old' } });
    await t.api.tend('Subscribe', { TopicArn, Protocol: 'email', Endpoint: 'old@example.com' });
    await t.api.tend('DeleteTopic', { TopicArn });
    await expect(t.api.tend('CreateTopic', { Name: 'phoenix' })).resolves.toEqual({ TopicArn });
    await expect(t.api.tend('ListSubscriptionsByTopic', { TopicArn })).resolves.toEqual({ Subscriptions: [] });
  });
});
