import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, TEST_REGION, type TestServer } from '../../../testing/test-server.js';
import { createUserWithKey, policyDocument } from '../../iam/iam-test-fixtures.js';

describeEachDatabase('Tend.Unsubscribe', (dialect) => {
  let t: TestServer;
  let topic: string;
  beforeAll(async () => {
    t = await startTestServer(dialect);
    ({ TopicArn: topic } = await t.api.tend('CreateTopic', { Name: 'leaving' }));
  });
  afterAll(async () => t?.close());

  it('removes the subscription, and a second time answers NotFoundException', async () => {
    const { SubscriptionArn } = await t.api.tend('Subscribe', { TopicArn: topic, Protocol: 'email', Endpoint: 'bye@example.com' });
    await expect(t.api.tend('Unsubscribe', { SubscriptionArn })).resolves.toEqual({});
    await expect(t.api.tend('ListSubscriptionsByTopic', { TopicArn: topic })).resolves.toEqual({ Subscriptions: [] });
    await expect(t.api.tend('Unsubscribe', { SubscriptionArn })).rejects.toMatchObject({ name: 'NotFoundException', message: 'Subscription does not exist' });
  });

  it('refuses a malformed subscription ARN', async () => {
    await expect(t.api.tend('Unsubscribe', { SubscriptionArn: 'arn:aws:sns:nope' })).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Invalid parameter: SubscriptionArn',
    });
  });

  it('authorizes sns:Unsubscribe on the subscription’s topic', async () => {
    const { SubscriptionArn } = await t.api.tend('Subscribe', { TopicArn: topic, Protocol: 'email', Endpoint: 'kept@example.com' });
    const denied = await createUserWithKey(
      t,
      'not-allowed',
      policyDocument({ Effect: 'Allow', Action: 'sns:Unsubscribe', Resource: `arn:aws:sns:${TEST_REGION}:${TEST_ACCOUNT}:other` }),
    );
    await expect(denied.api.tend('Unsubscribe', { SubscriptionArn })).rejects.toMatchObject({ name: 'AccessDeniedException' });
    const allowed = await createUserWithKey(t, 'allowed', policyDocument({ Effect: 'Allow', Action: 'sns:Unsubscribe', Resource: topic }));
    await expect(allowed.api.tend('Unsubscribe', { SubscriptionArn })).resolves.toEqual({});
  });
});
