import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, TEST_REGION, type TestServer } from '../../../testing/test-server.js';
import { createUserWithKey, policyDocument } from '../../iam/iam-test-fixtures.js';

describeEachDatabase('Tend.Subscribe', (dialect) => {
  let t: TestServer;
  let topic: string;
  beforeAll(async () => {
    t = await startTestServer(dialect);
    ({ TopicArn: topic } = await t.api.tend('CreateTopic', { Name: 'subscribable' }));
  });
  afterAll(async () => t?.close());

  it('answers a subscription ARN under the topic, and a signing secret for a webhook', async () => {
    const answer = await t.api.tend('Subscribe', { TopicArn: topic, Protocol: 'https', Endpoint: 'https://hooks.example.com/tend' });
    expect(answer.SubscriptionArn).toMatch(new RegExp(`^${topic}:[0-9a-f-]{36}$`));
    expect(answer.SigningSecret).toEqual(expect.any(String));
    const email = await t.api.tend('Subscribe', { TopicArn: topic, Protocol: 'EMAIL', Endpoint: 'ops@example.com' });
    expect(email).not.toHaveProperty('SigningSecret');
  });

  it('answers the existing subscription for the same endpoint, without its secret again', async () => {
    const first = await t.api.tend('Subscribe', { TopicArn: topic, Protocol: 'http', Endpoint: 'http://10.0.0.5/again' });
    const second = await t.api.tend('Subscribe', { TopicArn: topic, Protocol: 'http', Endpoint: 'http://10.0.0.5/again' });
    expect(second).toEqual({ SubscriptionArn: first.SubscriptionArn });
    await expect(
      t.api.tend('Subscribe', { TopicArn: topic, Protocol: 'http', Endpoint: 'http://10.0.0.5/again', Attributes: { RawMessageDelivery: 'true' } }),
    ).rejects.toMatchObject({ name: 'InvalidParameterException', message: expect.stringContaining('different attributes') });
    await expect(
      t.api.tend('Subscribe', { TopicArn: topic, Protocol: 'http', Endpoint: 'http://10.0.0.5/again', Attributes: { SigningSecret: 'x'.repeat(20) } }),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('keeps webhook credentials out of listings and attributes', async () => {
    const { SubscriptionArn } = await t.api.tend('Subscribe', {
      TopicArn: topic,
      Protocol: 'slack',
      Endpoint: 'https://hooks.slack.com/services/T0001/B0001/abcdefSECRET',
    });
    const basic = await t.api.tend('Subscribe', { TopicArn: topic, Protocol: 'https', Endpoint: 'https://bot:hunter2pass@example.com/in?key=SECRETKEY' });
    const { Subscriptions } = await t.api.tend('ListSubscriptionsByTopic', { TopicArn: topic });
    const text = JSON.stringify(Subscriptions);
    expect(text).not.toContain('SECRET');
    expect(text).not.toContain('hunter2pass');
    const bySub = Object.fromEntries(Subscriptions.map((s: { SubscriptionArn: string; Endpoint: string }) => [s.SubscriptionArn, s.Endpoint]));
    expect(bySub[SubscriptionArn]).toBe('https://hooks.slack.com/****');
    expect(bySub[basic.SubscriptionArn]).toBe('https://bot:****@example.com/in?****');
    // Nothing in the database holds them in clear either.
    const rows = await t.server.services.db.selectFrom('notification_subscriptions').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain('SECRET');
    expect(JSON.stringify(rows)).not.toContain('hunter2pass');
    expect(JSON.stringify(rows)).not.toContain(basic.SigningSecret);
  });

  it.each([
    ['an unsupported SNS protocol', { Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:123456789012:q' }, 'sqs is not supported'],
    ['an unknown protocol', { Protocol: 'pigeon', Endpoint: 'x' }, 'Protocol'],
    ['an https subscription to an http URL', { Protocol: 'https', Endpoint: 'http://example.com/' }, 'https://'],
    ['an http subscription to something not a URL', { Protocol: 'http', Endpoint: 'example.com' }, 'URL'],
    ['an email subscription without an address', { Protocol: 'email', Endpoint: 'not an address' }, 'email address'],
    ['a filter policy', { Protocol: 'email', Endpoint: 'f@example.com', Attributes: { FilterPolicy: '{}' } }, 'FilterPolicy is not supported'],
    ['RawMessageDelivery on email', { Protocol: 'email', Endpoint: 'r@example.com', Attributes: { RawMessageDelivery: 'true' } }, 'http and https'],
    ['a short signing secret', { Protocol: 'https', Endpoint: 'https://e.example.com/', Attributes: { SigningSecret: 'short' } }, 'at least 16'],
    ['a delivery policy that is not JSON', { Protocol: 'email', Endpoint: 'd@example.com', Attributes: { DeliveryPolicy: '{' } }, 'DeliveryPolicy'],
    [
      'a delivery policy with an unsupported backoff',
      { Protocol: 'email', Endpoint: 'd@example.com', Attributes: { DeliveryPolicy: JSON.stringify({ healthyRetryPolicy: { backoffFunction: 'geometric' } }) } },
      'backoffFunction',
    ],
  ])('refuses %s with InvalidParameterException', async (_what, input, message) => {
    await expect(t.api.tend('Subscribe', { TopicArn: topic, ...input })).rejects.toMatchObject({ name: 'InvalidParameterException', message: expect.stringContaining(message) });
  });

  it('refuses a topic that does not exist, and a malformed topic ARN', async () => {
    await expect(
      t.api.tend('Subscribe', { TopicArn: `arn:aws:sns:${TEST_REGION}:${TEST_ACCOUNT}:missing`, Protocol: 'email', Endpoint: 'a@example.com' }),
    ).rejects.toMatchObject({ name: 'NotFoundException', message: 'Topic does not exist' });
    await expect(t.api.tend('Subscribe', { TopicArn: 'arn:aws:sns:missing', Protocol: 'email', Endpoint: 'a@example.com' })).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });

  it('authorizes sns:Subscribe on the topic', async () => {
    const user = await createUserWithKey(t, 'subscriber', policyDocument({ Effect: 'Allow', Action: 'sns:Subscribe', Resource: topic }));
    await expect(user.api.tend('Subscribe', { TopicArn: topic, Protocol: 'email', Endpoint: 'u@example.com' })).resolves.toHaveProperty('SubscriptionArn');
    const { TopicArn: other } = await t.api.tend('CreateTopic', { Name: 'not-yours' });
    await expect(user.api.tend('Subscribe', { TopicArn: other, Protocol: 'email', Endpoint: 'u@example.com' })).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
  });
});
