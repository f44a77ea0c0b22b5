import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../../testing/test-server.js';
import { verifySignature, SIGNATURE_HEADER } from './transports/webhook.js';
import {
  createTopic,
  retryPolicy,
  settledDeliveries,
  startReceiver,
  startSmtpSink,
  waitFor,
  type TestReceiver,
} from './notification-test-support.js';

describeEachDatabase('notification delivery', (dialect) => {
  let t: TestServer;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  const receivers: TestReceiver[] = [];
  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  };

  beforeAll(async () => {
    smtp = await startSmtpSink();
    t = await startTestServer(dialect, { config: { smtpUrl: smtp.url, smtpFrom: 'Tend Alerts <alerts@tend.test>' } });
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('posts SNS’s envelope to a webhook, signed with the secret Subscribe answered once', async () => {
    const topic = await createTopic(t, 'webhook-signed');
    const hook = await receiver();
    const { SubscriptionArn, SigningSecret } = await t.api.tend('Subscribe', { TopicArn: topic, Protocol: 'http', Endpoint: hook.url });
    expect(SigningSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const { MessageId } = await t.api.tend('Publish', {
      TopicArn: topic,
      Subject: 'Disk almost full',
      Message: 'web-1: / at 93%',
      MessageAttributes: { severity: { DataType: 'String', StringValue: 'high' } },
    });
    const [delivery] = await settledDeliveries(t, MessageId, 1);
    expect(delivery).toMatchObject({ Status: 'Delivered', Attempts: 1, SubscriptionArn, Protocol: 'http' });

    expect(hook.requests).toHaveLength(1);
    const request = hook.requests[0]!;
    expect(request.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(request.headers['x-amz-sns-message-id']).toBe(MessageId);
    expect(request.headers['x-amz-sns-topic-arn']).toBe(topic);
    expect(verifySignature(SigningSecret, request.body, request.headers[SIGNATURE_HEADER] as string)).toBe(true);
    expect(verifySignature('another-secret-entirely', request.body, request.headers[SIGNATURE_HEADER] as string)).toBe(false);
    expect(verifySignature(SigningSecret, request.body + ' ', request.headers[SIGNATURE_HEADER] as string)).toBe(false);
    expect(JSON.parse(request.body)).toEqual({
      Type: 'Notification',
      MessageId,
      TopicArn: topic,
      SubscriptionArn,
      Subject: 'Disk almost full',
      Message: 'web-1: / at 93%',
      Timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      MessageAttributes: { severity: { Type: 'String', Value: 'high' } },
    });
  });

  it('signs with a secret given as an attribute, and posts the bare message with RawMessageDelivery', async () => {
    const topic = await createTopic(t, 'webhook-raw');
    const hook = await receiver();
    const secret = 'my-own-signing-secret-0123456789';
    const answer = await t.api.tend('Subscribe', {
      TopicArn: topic,
      Protocol: 'http',
      Endpoint: hook.url,
      Attributes: { SigningSecret: secret, RawMessageDelivery: 'true' },
    });
    expect(answer).not.toHaveProperty('SigningSecret');
    const { MessageId } = await t.api.tend('Publish', { TopicArn: topic, Message: 'plain text body' });
    await settledDeliveries(t, MessageId, 1);
    const request = hook.requests[0]!;
    expect(request.body).toBe('plain text body');
    expect(request.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(verifySignature(secret, request.body, request.headers[SIGNATURE_HEADER] as string)).toBe(true);
  });

  it('posts {text} to a Slack-compatible incoming webhook', async () => {
    const topic = await createTopic(t, 'slack-alerts');
    const slack = await receiver();
    await t.api.tend('Subscribe', { TopicArn: topic, Protocol: 'slack', Endpoint: `${slack.url}/services/T000/B000/XXXXSECRET` });
    const { MessageId } = await t.api.tend('Publish', { TopicArn: topic, Subject: 'Patch run', Message: 'done: 3 < 4 & ok' });
    const [delivery] = await settledDeliveries(t, MessageId, 1);
    expect(delivery).toMatchObject({ Status: 'Delivered', Protocol: 'slack' });
    expect(delivery.Endpoint).not.toContain('XXXXSECRET');
    expect(JSON.parse(slack.requests[0]!.body)).toEqual({ text: '*Patch run*\ndone: 3 &lt; 4 &amp; ok' });
  });

  it('sends an email through the configured SMTP server', async () => {
    const topic = await createTopic(t, 'mail-alerts');
    await t.api.tend('Subscribe', { TopicArn: topic, Protocol: 'email', Endpoint: 'ops@example.com' });
    const { MessageId } = await t.api.tend('Publish', { TopicArn: topic, Subject: 'Node lost', Message: 'mi-0123456789abcdef0 stopped answering' });
    const [delivery] = await settledDeliveries(t, MessageId, 1);
    expect(delivery).toMatchObject({ Status: 'Delivered', Protocol: 'email', Endpoint: 'ops@example.com' });
    const mail = await waitFor(() => smtp.messages.find((m) => m.raw.includes(MessageId)), 5000, 'the email');
    expect(mail.to).toEqual(['ops@example.com']);
    expect(mail.from).toBe('alerts@tend.test');
    expect(mail.raw).toContain('Subject: Node lost');
    expect(mail.raw).toContain('mi-0123456789abcdef0 stopped answering');
  });

  it('picks each protocol’s text from a MessageStructure json message', async () => {
    const topic = await createTopic(t, 'per-protocol');
    const hook = await receiver();
    const slack = await receiver();
    await t.api.tend('Subscribe', { TopicArn: topic, Protocol: 'http', Endpoint: hook.url });
    await t.api.tend('Subscribe', { TopicArn: topic, Protocol: 'slack', Endpoint: slack.url });
    const { MessageId } = await t.api.tend('Publish', {
      TopicArn: topic,
      MessageStructure: 'json',
      Message: JSON.stringify({ default: 'for everyone', slack: 'for slack' }),
    });
    await settledDeliveries(t, MessageId, 2);
    expect(JSON.parse(hook.requests[0]!.body).Message).toBe('for everyone');
    expect(JSON.parse(slack.requests[0]!.body).text).toBe('for slack');
  });

  it('retries with exponential backoff: 500 twice, then 200 is Delivered after 3 attempts', async () => {
    const topic = await createTopic(t, 'flaky');
    const hook = await receiver((n) => (n <= 2 ? 500 : 200));
    const { SubscriptionArn } = await t.api.tend('Subscribe', {
      TopicArn: topic,
      Protocol: 'http',
      Endpoint: hook.url,
      Attributes: { DeliveryPolicy: retryPolicy(1, 2, 3) },
    });
    const { MessageId } = await t.api.tend('Publish', { TopicArn: topic, Message: 'try again' });

    const retrying = await settledDeliveries(t, MessageId, 1, ['Retrying'], 5000);
    expect(retrying[0]).toMatchObject({ Status: 'Retrying', Attempts: 1, LastError: 'HTTP 500 Internal Server Error: nope' });
    expect(retrying[0].NextAttemptTime).toBeGreaterThan(retrying[0].LastAttemptTime);

    const [delivery] = await settledDeliveries(t, MessageId, 1, ['Delivered', 'Failed'], 10_000);
    expect(delivery).toMatchObject({ Status: 'Delivered', Attempts: 3, SubscriptionArn });
    expect(hook.requests.map((r) => r.headers['x-tend-delivery-attempt'])).toEqual(['1', '2', '3']);
    const [first, second, third] = hook.requests.map((r) => r.at) as [number, number, number];
    // Delays of 1 s then 2 s (up to 10% jitter): the second wait is the longer one.
    expect(second - first).toBeGreaterThanOrEqual(950);
    expect(third - second).toBeGreaterThanOrEqual(1900);
    expect(new Set(hook.requests.map((r) => JSON.parse(r.body).MessageId))).toEqual(new Set([MessageId]));
  });

  it('gives up after the policy’s retries, and at once when the receiver refuses the request (4xx)', async () => {
    const topic = await createTopic(t, 'broken');
    const down = await receiver(() => 503);
    const gone = await receiver(() => 404);
    const downSub = await t.api.tend('Subscribe', { TopicArn: topic, Protocol: 'http', Endpoint: down.url, Attributes: { DeliveryPolicy: retryPolicy(1, 1, 1) } });
    const goneSub = await t.api.tend('Subscribe', { TopicArn: topic, Protocol: 'http', Endpoint: gone.url, Attributes: { DeliveryPolicy: retryPolicy(1, 1, 5) } });
    const { MessageId } = await t.api.tend('Publish', { TopicArn: topic, Message: 'no luck' });
    const deliveries = await settledDeliveries(t, MessageId, 2, ['Failed'], 10_000);
    const bySub = Object.fromEntries(deliveries.map((d) => [d.SubscriptionArn, d]));
    expect(bySub[downSub.SubscriptionArn]).toMatchObject({ Status: 'Failed', Attempts: 2, LastError: expect.stringContaining('HTTP 503') });
    expect(bySub[goneSub.SubscriptionArn]).toMatchObject({ Status: 'Failed', Attempts: 1, LastError: expect.stringContaining('HTTP 404') });
    expect(bySub[goneSub.SubscriptionArn]).not.toHaveProperty('NextAttemptTime');
  });

  it('records a refused connection as the error, without the endpoint’s secret parts', async () => {
    const topic = await createTopic(t, 'nobody-home');
    const closed = await receiver();
    const url = `${closed.url}?token=very-secret-token`;
    await closed.close();
    receivers.pop();
    await t.api.tend('Subscribe', { TopicArn: topic, Protocol: 'http', Endpoint: url, Attributes: { DeliveryPolicy: retryPolicy(1, 1, 0) } });
    const { MessageId } = await t.api.tend('Publish', { TopicArn: topic, Message: 'anyone?' });
    const [delivery] = await settledDeliveries(t, MessageId, 1, ['Failed']);
    expect(delivery.LastError).toMatch(/ECONNREFUSED/);
    expect(JSON.stringify(delivery)).not.toContain('very-secret-token');
  });

  it('does not let a subscriber that never answers delay another', async () => {
    const topic = await createTopic(t, 'one-slow-one-fast');
    const stuck = await receiver(() => 'hang');
    const fast = await receiver();
    const stuckSub = await t.api.tend('Subscribe', { TopicArn: topic, Protocol: 'http', Endpoint: stuck.url });
    const fastSub = await t.api.tend('Subscribe', { TopicArn: topic, Protocol: 'http', Endpoint: fast.url });
    const ids: string[] = [];
    const started = Date.now();
    for (let i = 0; i < 10; i++) ids.push((await t.api.tend('Publish', { TopicArn: topic, Message: `message ${i}` })).MessageId);
    await waitFor(() => fast.requests.length === 10, 5000, 'the fast subscriber to get all ten');
    expect(Date.now() - started).toBeLessThan(5000);
    const { Deliveries } = await t.api.tend('ListDeliveries', { SubscriptionArn: fastSub.SubscriptionArn });
    await waitFor(async () => {
      const { Deliveries: fastOnes } = await t.api.tend('ListDeliveries', { SubscriptionArn: fastSub.SubscriptionArn, Status: 'Delivered' });
      return fastOnes.length === 10;
    });
    expect(Deliveries.length).toBe(10);
    // The stuck subscriber holds at most its per-subscription share of attempts open, and nothing of it is Delivered.
    expect(stuck.requests.length).toBeGreaterThan(0);
    expect(stuck.requests.length).toBeLessThanOrEqual(4);
    const { Deliveries: stuckOnes } = await t.api.tend('ListDeliveries', { SubscriptionArn: stuckSub.SubscriptionArn, Status: 'Delivered' });
    expect(stuckOnes).toEqual([]);
  });
});
