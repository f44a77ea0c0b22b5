import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, type TestServer } from '../../../testing/test-server.js';

describeEachDatabase('Tend.GetTopicAttributes', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  it('answers SNS’s attributes, counting subscriptions as confirmed', async () => {
    const { TopicArn } = await t.api.tend('CreateTopic', { Name: 'with-attributes', Attributes: { DisplayName: 'Fleet' } });
    await t.api.tend('Subscribe', { TopicArn, Protocol: 'email', Endpoint: 'a@example.com' });
    await t.api.tend('Subscribe', { TopicArn, Protocol: 'https', Endpoint: 'https://hooks.example.com/x' });
    const { Attributes } = await t.api.tend('GetTopicAttributes', { TopicArn });
    expect(Attributes).toMatchObject({
      TopicArn,
      Owner: TEST_ACCOUNT,
      DisplayName: 'Fleet',
      SubscriptionsConfirmed: '2',
      SubscriptionsPending: '0',
      SubscriptionsDeleted: '0',
    });
    expect(JSON.parse(Attributes.EffectiveDeliveryPolicy).http.defaultHealthyRetryPolicy).toMatchObject({ numRetries: 10, backoffFunction: 'exponential' });
  });

  it('answers NotFoundException for an unknown topic, also of another account', async () => {
    await expect(t.api.tend('GetTopicAttributes', { TopicArn: `arn:aws:sns:us-east-1:${TEST_ACCOUNT}:nope` })).rejects.toMatchObject({
      name: 'NotFoundException',
      message: 'Topic does not exist',
    });
    await expect(t.api.tend('GetTopicAttributes', { TopicArn: 'arn:aws:sns:us-east-1:999999999999:nope' })).rejects.toMatchObject({ name: 'NotFoundException' });
  });
});
