import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, type TestServer } from '../../../testing/test-server.js';

describeEachDatabase('Tend.GetSubscriptionAttributes', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  it('answers SNS’s attributes with the effective delivery policy, never the signing secret', async () => {
    const { TopicArn } = await t.api.tend('CreateTopic', { Name: 'attrs' });
    const policy = JSON.stringify({ healthyRetryPolicy: { minDelayTarget: 2, maxDelayTarget: 30, numRetries: 4 } });
    const { SubscriptionArn, SigningSecret } = await t.api.tend('Subscribe', {
      TopicArn,
      Protocol: 'https',
      Endpoint: 'https://receiver.example.com/in',
      Attributes: { DeliveryPolicy: policy },
    });
    const { Attributes } = await t.api.tend('GetSubscriptionAttributes', { SubscriptionArn });
    expect(Attributes).toMatchObject({
      SubscriptionArn,
      TopicArn,
      Owner: TEST_ACCOUNT,
      Protocol: 'https',
      Endpoint: 'https://receiver.example.com/in',
      PendingConfirmation: 'false',
      RawMessageDelivery: 'false',
      DeliveryPolicy: policy,
      SigningSecretConfigured: 'true',
    });
    expect(JSON.parse(Attributes.EffectiveDeliveryPolicy).healthyRetryPolicy).toMatchObject({ minDelayTarget: 2, maxDelayTarget: 30, numRetries: 4, backoffFunction: 'exponential' });
    expect(JSON.stringify(Attributes)).not.toContain(SigningSecret);
  });

  it('answers NotFoundException for an unknown subscription and InvalidParameterException for a malformed ARN', async () => {
    const { TopicArn } = await t.api.tend('CreateTopic', { Name: 'attrs2' });
    await expect(t.api.tend('GetSubscriptionAttributes', { SubscriptionArn: `${TopicArn}:00000000-0000-4000-8000-000000000000` })).rejects.toMatchObject({
      name: 'NotFoundException',
      message: 'Subscription does not exist',
    });
    await expect(t.api.tend('GetSubscriptionAttributes', { SubscriptionArn: TopicArn })).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});
