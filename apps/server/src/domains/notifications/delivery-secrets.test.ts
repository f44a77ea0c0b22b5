import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../../testing/test-server.js';
import { createTopic, retryPolicy, settledDeliveries, startReceiver, type TestReceiver } from './notification-test-support.js';

describeEachDatabase('notification secrets', (dialect) => {
  let t: TestServer;
  let hook: TestReceiver;
  const lines: string[] = [];

  beforeAll(async () => {
    hook = await startReceiver((n) => (n === 1 ? 500 : 200));
    // Nothing listens on port 9: every email attempt fails, and is logged.
    t = await startTestServer(dialect, {
      config: { smtpUrl: 'smtp://mailer:smtp-password-42@127.0.0.1:9' },
      logStream: { write: (line) => void lines.push(line) },
    });
  });
  afterAll(async () => {
    await t?.close();
    await hook?.close();
  });

  it('never logs endpoints, signing secrets or the SMTP password, even when deliveries fail', async () => {
    const topic = await createTopic(t, 'secretive');
    const { SigningSecret } = await t.api.tend('Subscribe', {
      TopicArn: topic,
      Protocol: 'http',
      Endpoint: `${hook.url}?token=hook-token-123`,
      Attributes: { DeliveryPolicy: retryPolicy(1, 1, 2) },
    });
    await t.api.tend('Subscribe', { TopicArn: topic, Protocol: 'email', Endpoint: 'ops@example.com', Attributes: { DeliveryPolicy: retryPolicy(1, 1, 0) } });
    const { MessageId } = await t.api.tend('Publish', { TopicArn: topic, Message: 'psst' });
    const deliveries = await settledDeliveries(t, MessageId, 2);
    expect(deliveries.map((d) => d.Status).sort()).toEqual(['Delivered', 'Failed']);
    expect(deliveries.find((d) => d.Protocol === 'email').LastError).toMatch(/^SMTP /);

    const log = lines.join('');
    expect(log).toContain('notification delivery failed');
    for (const secret of ['hook-token-123', SigningSecret, 'smtp-password-42']) {
      expect(log).not.toContain(secret);
      expect(JSON.stringify(deliveries)).not.toContain(secret);
    }
  });
});
