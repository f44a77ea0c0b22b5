import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_ACCOUNT, TEST_REGION, type TestServer } from '../../../server/src/testing/test-server.js';
import { startReceiver, waitFor, type TestReceiver } from '../../../server/src/domains/notifications/notification-test-support.js';
import { runTend, jsonRunner, rootEnvFor } from '../testing/run-tend.js';

const ALERTS_ARN = `arn:aws:sns:${TEST_REGION}:${TEST_ACCOUNT}:cli-alerts`;

// `tend topics …` as a user runs it: the real binary against a real server that delivers to a real HTTP receiver.
describe('tend topics', () => {
  let t: TestServer;
  let env: NodeJS.ProcessEnv;
  let hook: TestReceiver;
  const tend = (...args: string[]) => runTend(['topics', ...args], { env });
  const tendJson = jsonRunner(tend);

  beforeAll(async () => {
    hook = await startReceiver();
    t = await startTestServer('sqlite');
    env = rootEnvFor(t);
  });
  afterAll(async () => {
    await t?.close();
    await hook?.close();
  });

  it('creates and lists topics as a table and as JSON', async () => {
    expect(await tend('ls')).toMatchObject({ code: 0, stdout: 'No topics. Create one with `tend topics create NAME`.\n' });

    const created = await tend('create', 'cli-alerts');
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe(`NAME        ARN\ncli-alerts  ${ALERTS_ARN}\n`);
    expect(await tendJson('create', 'cli-other')).toEqual({ TopicArn: `arn:aws:sns:${TEST_REGION}:${TEST_ACCOUNT}:cli-other` });

    const ls = await tend('ls');
    expect(ls.stdout.split('\n')[0]).toMatch(/^NAME\s+SUBSCRIPTIONS\s+ARN$/);
    expect(ls.stdout).toMatch(new RegExp(`^cli-alerts\\s+0\\s+${ALERTS_ARN}$`, 'm'));
    expect((await tendJson('ls')).Topics).toEqual([{ TopicArn: ALERTS_ARN }, { TopicArn: `arn:aws:sns:${TEST_REGION}:${TEST_ACCOUNT}:cli-other` }]);
  });

  it('subscribes a webhook, publishes, and the signed message reaches the receiver; deliveries show it', async () => {
    const sub = await tend('subscribe', 'cli-alerts', '--protocol', 'http', '--endpoint', `${hook.url}/tend?token=abc`);
    expect(sub.stderr).toBe('');
    const arn = /^SubscriptionArn:\s+(\S+)$/m.exec(sub.stdout)?.[1];
    const secret = /^SigningSecret:\s+(\S+)$/m.exec(sub.stdout)?.[1];
    expect(arn).toMatch(new RegExp(`^${ALERTS_ARN}:`));
    expect(secret).toBeTruthy();
    expect(sub.stdout).toContain('shown only now');

    const subs = await tend('subscriptions', 'cli-alerts');
    expect(subs.stdout.split('\n')[0]).toMatch(/^TOPIC\s+PROTOCOL\s+ENDPOINT\s+SUBSCRIPTION ARN$/);
    expect(subs.stdout).toMatch(new RegExp(`^cli-alerts\\s+http\\s+\\S+\\s+${arn}$`, 'm'));
    expect(subs.stdout).not.toContain('token=abc');
    expect((await tendJson('subscriptions')).Subscriptions).toEqual([expect.objectContaining({ SubscriptionArn: arn, Protocol: 'http', TopicArn: ALERTS_ARN })]);
    expect((await tend('ls')).stdout).toMatch(new RegExp(`^cli-alerts\\s+1\\s+${ALERTS_ARN}$`, 'm'));

    const published = await tend('publish', 'cli-alerts', '--message', 'web-1: disk at 93%', '--subject', 'Disk almost full');
    expect(published.stderr).toBe('');
    const messageId = /^MESSAGE ID\s+TOPIC\n(\S+)\s+/.exec(published.stdout)?.[1];
    expect(messageId).toBeTruthy();

    const request = await waitFor(() => hook.requests[0], 15_000, 'the webhook request');
    const body = JSON.parse(request.body);
    expect(body).toMatchObject({ Type: 'Notification', MessageId: messageId, TopicArn: ALERTS_ARN, Subject: 'Disk almost full', Message: 'web-1: disk at 93%' });
    expect(request.headers['x-tend-signature']).toBe(`sha256=${createHmac('sha256', secret!).update(request.body).digest('hex')}`);

    const json = await waitFor(async () => {
      const out = await tendJson('deliveries', 'cli-alerts', '--status', 'Delivered');
      return out.Deliveries.length === 1 ? out : undefined;
    }, 15_000, 'the delivery to be recorded as Delivered');
    expect(json.Deliveries[0]).toMatchObject({ MessageId: messageId, SubscriptionArn: arn, Status: 'Delivered', Attempts: 1 });

    const deliveries = await tend('deliveries');
    expect(deliveries.stdout.split('\n')[0]).toMatch(/^TIME\s+SUBSCRIPTION\s+STATUS\s+ATTEMPTS\s+LAST ERROR$/);
    expect(deliveries.stdout).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\s+${arn}\\s+Delivered\\s+1$`, 'm'));
  });

  it('shows a failing subscriber\'s attempts and last error', async () => {
    const failing = await startReceiver(() => 404);
    try {
      const { SubscriptionArn: arn, SigningSecret } = await tendJson('subscribe', ALERTS_ARN, '--protocol', 'http', '--endpoint', failing.url);
      expect(SigningSecret).toBeTruthy();
      const { MessageId } = await tendJson('publish', ALERTS_ARN, '--message', 'second');
      const failed = await waitFor(async () => {
        const out = await tendJson('deliveries', '--status', 'Failed');
        return out.Deliveries.find((d: { MessageId: string }) => d.MessageId === MessageId);
      }, 15_000, 'the failed delivery');
      expect(failed).toMatchObject({ SubscriptionArn: arn, Status: 'Failed', Attempts: 1 });
      const table = await tend('deliveries', 'cli-alerts', '--status', 'Failed');
      expect(table.stdout).toMatch(new RegExp(`^\\S+\\s+${arn}\\s+Failed\\s+1\\s+\\S.*404`, 'm'));

      expect(await tend('unsubscribe', arn)).toMatchObject({ code: 0, stdout: `UNSUBSCRIBED\n${arn}\n`, stderr: '' });
      expect((await tendJson('subscriptions', 'cli-alerts')).Subscriptions).toHaveLength(1);
    } finally {
      await failing.close();
    }
  });

  it('deletes topics by name or ARN; errors are `tend: <ErrorName>: <message>` with exit code 1', async () => {
    expect(await tendJson('rm', 'cli-other')).toEqual({ DeletedTopicArn: `arn:aws:sns:${TEST_REGION}:${TEST_ACCOUNT}:cli-other` });
    expect(await tend('rm', ALERTS_ARN)).toMatchObject({ code: 0, stdout: `DELETED\n${ALERTS_ARN}\n` });
    expect(await tend('ls')).toMatchObject({ stdout: 'No topics. Create one with `tend topics create NAME`.\n' });

    const missing = await tend('rm', 'cli-alerts');
    expect(missing).toMatchObject({ code: 1, stdout: '', stderr: 'tend: NotFoundException: no topic named cli-alerts\n' });

    const subs = await tend('subscriptions', ALERTS_ARN);
    expect(subs.code).toBe(1);
    expect(subs.stderr).toMatch(/^tend: NotFoundException: .+\n$/);

    await tend('create', 'cli-mail');
    const badEndpoint = await tend('subscribe', 'cli-mail', '--protocol', 'https', '--endpoint', 'not a url');
    expect(badEndpoint.code).toBe(1);
    expect(badEndpoint.stderr).toMatch(/^tend: InvalidParameter\w*: .+\n$/);

    const badProtocol = await tend('subscribe', 'cli-mail', '--protocol', 'sms', '--endpoint', '+15550100');
    expect(badProtocol.code).toBe(1);
    expect(badProtocol.stderr).toMatch(/^tend: option '--protocol <protocol>' argument 'sms' is invalid/);

    const wrongKey = await runTend(['topics', 'ls'], { env: { ...env, AWS_SECRET_ACCESS_KEY: 'not-the-secret-at-all' } });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toMatch(/^tend: InvalidSignatureException: /);
  });
});
