import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SendCommandCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase, startTestServer, type TestServer } from '../../testing/test-server.js';
import { SIGNATURE_HEADER, verifySignature } from '../notifications/transports/webhook.js';
import { createTopic, startReceiver, startSmtpSink, waitFor, type TestReceiver } from '../notifications/notification-test-support.js';
import { finished, invocationsOf, runShell, startFleet, type TestFleet } from './run-command-test-support.js';

/** One SNS notification a webhook received: the envelope, its signature check, and the Run Command message inside. */
interface Notification {
  messageId: string;
  subject: string;
  signed: boolean;
  message: Record<string, any>;
}

/**
 * NotificationConfig on SendCommand, end to end: real agents run the
 * commands, and the status changes reach a real webhook (signed) and a real
 * SMTP server through topics and subscriptions made with Tend's API.
 */
describeEachDatabase('Run Command notifications', (dialect) => {
  let t: TestServer;
  let fleet: TestFleet;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let hook: TestReceiver;
  let scratch: string;
  /** Signing secret of each http subscription, by topic. */
  const secrets = new Map<string, string>();

  beforeAll(async () => {
    smtp = await startSmtpSink();
    hook = await startReceiver();
    t = await startTestServer(dialect, { config: { smtpUrl: smtp.url, smtpFrom: 'Tend <tend@rc.test>' } });
    fleet = await startFleet(t, 2);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-rc-notify-'));
  }, 60_000);
  afterAll(async () => {
    await fleet?.stopAll();
    await t?.close();
    await hook?.close();
    await smtp?.close();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  /** A topic with an http subscription to the test webhook and, if given, an email subscription. */
  async function topicWithSubscribers(name: string, email?: string): Promise<string> {
    const topic = await createTopic(t, name);
    const { SigningSecret } = await t.api.tend('Subscribe', { TopicArn: topic, Protocol: 'http', Endpoint: hook.url });
    secrets.set(topic, SigningSecret);
    if (email) await t.api.tend('Subscribe', { TopicArn: topic, Protocol: 'email', Endpoint: email });
    return topic;
  }

  /** What the webhook received about one command, each SNS message once (delivery is at least once). */
  function notificationsAbout(commandId: string): Notification[] {
    const seen = new Map<string, Notification>();
    for (const request of hook.requests) {
      const envelope = JSON.parse(request.body);
      const message = JSON.parse(envelope.Message);
      if (message.commandId !== commandId || seen.has(envelope.MessageId)) continue;
      seen.set(envelope.MessageId, {
        messageId: envelope.MessageId,
        subject: envelope.Subject,
        signed: verifySignature(secrets.get(envelope.TopicArn)!, request.body, request.headers[SIGNATURE_HEADER] as string),
        message,
      });
    }
    return [...seen.values()];
  }

  /**
   * Waits until everything published to the topic so far has been delivered:
   * a marker published now comes after it in the outbox, and once the marker
   * is in, every delivery the topic has is settled.
   */
  async function drained(topic: string): Promise<void> {
    const marker = `drained-${Date.now()}`;
    await t.api.tend('Publish', { TopicArn: topic, Message: JSON.stringify({ marker }) });
    await waitFor(() => hook.requests.some((r) => r.body.includes(marker)), 20_000, 'the marker message');
    await waitFor(
      async () => {
        const { Deliveries } = await t.api.tend('ListDeliveries', { TopicArn: topic, MaxResults: 100 });
        return Deliveries.every((d: { Status: string }) => d.Status === 'Delivered');
      },
      20_000,
      'every delivery of the topic',
    );
  }

  it('notifies each command status change (All, Command) to a signed webhook and by email', async () => {
    const topic = await topicWithSubscribers('rc-command-events', 'ops@rc.test');
    const id = await runShell(t, { InstanceIds: fleet.ids }, ['echo hello'], {
      NotificationConfig: { NotificationArn: topic, NotificationEvents: ['All'], NotificationType: 'Command' },
    });
    expect(await finished(t, id)).toMatchObject({ Status: 'Success', NotificationConfig: { NotificationArn: topic, NotificationEvents: ['All'], NotificationType: 'Command' } });
    await drained(topic);

    // Deliveries may overtake one another: in the order the changes happened.
    const received = notificationsAbout(id).sort((a, b) => Date.parse(a.message.eventTime) - Date.parse(b.message.eventTime));
    expect(received.map((n) => n.message.status)).toEqual(['InProgress', 'Success']);
    for (const n of received) {
      expect(n.signed).toBe(true);
      expect(n.subject).toBe(`Tend Run Command ${n.message.status}: AWS-RunShellScript`);
      expect(n.message).toMatchObject({ commandId: id, documentName: 'AWS-RunShellScript', targetCount: 2 });
      expect(n.message.summary).toContain(`Command ${id} (AWS-RunShellScript) is ${n.message.status}`);
    }
    expect(received[1]!.message).toMatchObject({ status: 'Success', statusDetails: 'Success', completedCount: 2, errorCount: 0 });

    // The same two messages by email: each carries the message id the webhook saw.
    for (const n of received) {
      const mail = await waitFor(() => smtp.messages.find((m) => m.raw.includes(n.messageId)), 20_000, `the email for ${n.message.status}`);
      expect(mail.to).toEqual(['ops@rc.test']);
      expect(mail.raw).toContain(`Subject: ${n.subject}`);
      // Quoted-printable folds long lines with a trailing "="; unfolded, the body is the message.
      expect(mail.raw.replace(/=\r?\n/g, '')).toContain(`"commandId":"${id}"`);
    }
  });

  it('notifies only the failed invocation (Failed, Invocation): which node, its status and its exit code', async () => {
    const topic = await topicWithSubscribers('rc-failures');
    // Exactly one of the two nodes fails: the one that creates the directory first. Both start at once
    // (MaxConcurrency 50), so the other runs to Success although the failure exceeds MaxErrors 0.
    const first = path.join(scratch, 'first');
    const id = await runShell(t, { InstanceIds: fleet.ids }, [`if mkdir ${first} 2>/dev/null; then echo failing >&2; exit 7; fi`, 'echo fine'], {
      NotificationConfig: { NotificationArn: topic, NotificationEvents: ['Failed'], NotificationType: 'Invocation' },
    });
    expect(await finished(t, id)).toMatchObject({ Status: 'Failed', CompletedCount: 2, ErrorCount: 1 });
    const failed = [...(await invocationsOf(t, id)).values()].filter((i) => i.Status === 'Failed');
    expect(failed).toHaveLength(1);
    const node = failed[0]!.InstanceId!;
    await drained(topic);

    const received = notificationsAbout(id);
    expect(received).toHaveLength(1);
    expect(received[0]!.signed).toBe(true);
    expect(received[0]!.subject).toBe(`Tend Run Command Failed: ${node}`);
    expect(received[0]!.message).toMatchObject({ commandId: id, instanceId: node, status: 'Failed', detailedStatus: 'Failed', responseCode: 7 });
    expect(received[0]!.message.summary).toContain(`on ${node}`);
    expect(received[0]!.message.summary).toContain('exit code 7');
  });

  it('runs a command whose NotificationArn names a deleted topic as any other', async () => {
    const topic = await topicWithSubscribers('rc-gone');
    await t.api.tend('DeleteTopic', { TopicArn: topic });
    const ids = await Promise.all(
      (['Command', 'Invocation'] as const).map(async (NotificationType) => {
        const out = await t.ssm.send(
          new SendCommandCommand({
            DocumentName: 'AWS-RunShellScript',
            InstanceIds: fleet.ids,
            Parameters: { commands: ['echo still-runs'] },
            NotificationConfig: { NotificationArn: topic, NotificationEvents: ['All'], NotificationType },
          }),
        );
        return out.Command!.CommandId!;
      }),
    );
    for (const id of ids) {
      expect(await finished(t, id)).toMatchObject({ Status: 'Success', CompletedCount: 2, ErrorCount: 0 });
      for (const invocation of (await invocationsOf(t, id)).values()) {
        expect(invocation).toMatchObject({ Status: 'Success', CommandPlugins: [expect.objectContaining({ Output: 'still-runs\n' })] });
      }
      expect(notificationsAbout(id)).toEqual([]);
    }
  });
});
