import { afterAll, beforeAll, expect, it } from 'vitest';
import { DescribeParametersCommand, GetParameterCommand, GetParametersByPathCommand, UpdateServiceSettingCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase } from '../../../testing/test-server.js';
import { createTopic, startReceiver, type TestReceiver } from '../../notifications/notification-test-support.js';
import { DAY, expiration, expirationNotification, noChangeNotification, notificationsDelivered, policiesText, useClockedServer } from '../policy-test-support.js';
import { put } from './test-support.js';

// Parameter policies as an SDK user sees them: PutParameter with Policies,
// PolicyStatus in DescribeParameters, the parameter gone once it expired, and
// the notifications on a webhook subscribed to the policy notification topic.
describeEachDatabase('PutParameter with Policies', (dialect) => {
  const { clock, server } = useClockedServer(dialect);
  let hook: TestReceiver;

  beforeAll(async () => {
    const t = server();
    hook = await startReceiver();
    const topic = await createTopic(t, 'parameter-policies');
    await t.api.tend('Subscribe', { TopicArn: topic, Protocol: 'http', Endpoint: hook.url });
    await t.ssm.send(new UpdateServiceSettingCommand({ SettingId: '/tend/parameter-store/policy-notification-topic', SettingValue: topic }));
  });
  afterAll(async () => hook?.close());

  const delivered = (count: number) => notificationsDelivered(server(), hook, count);

  it('reports each policy Pending, then Finished, and deletes the parameter when it expires', async () => {
    const { ssm, server: running } = server();
    const name = '/api/policies/db-password';
    const expiresAt = clock.now() + 10 * DAY;
    const Policies = policiesText(expiration(expiresAt), expirationNotification(2, 'Days'), noChangeNotification(5, 'Days'));
    expect(await put(ssm, name, 'hunter2', { Type: 'SecureString', Tier: 'Intelligent-Tiering', Policies })).toEqual(expect.objectContaining({ Version: 1, Tier: 'Advanced' }));
    // Read once, so a cached read would be what answers after the expiry.
    expect((await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Version).toBe(1);

    const describe = async () =>
      (await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: [name] }] }))).Parameters?.[0]?.Policies?.map((p) => [p.PolicyType, p.PolicyStatus]);
    expect(await describe()).toEqual([
      ['Expiration', 'Pending'],
      ['ExpirationNotification', 'Pending'],
      ['NoChangeNotification', 'Pending'],
    ]);

    clock.advance(5 * DAY);
    await running.timers.runDue();
    await delivered(1);
    expect(await describe()).toEqual([
      ['Expiration', 'Pending'],
      ['ExpirationNotification', 'Pending'],
      ['NoChangeNotification', 'Finished'],
    ]);
    clock.advance(3 * DAY);
    await running.timers.runDue();
    await delivered(2);
    expect(await describe()).toEqual([
      ['Expiration', 'Pending'],
      ['ExpirationNotification', 'Finished'],
      ['NoChangeNotification', 'Finished'],
    ]);

    clock.advance(2 * DAY);
    await running.timers.runDue();
    await expect(ssm.send(new GetParameterCommand({ Name: name }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
    expect((await ssm.send(new GetParametersByPathCommand({ Path: '/api/policies' }))).Parameters).toEqual([]);
    expect(await describe()).toBeUndefined();

    // One notification per policy action reached the webhook, shaped as EventBridge's event, with no value in it.
    await delivered(3);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const received = hook.requests;
    expect(received).toHaveLength(3);
    const events = received.map((r) => JSON.parse(JSON.parse(r.body).Message));
    expect(events.map((e) => [e['detail-type'], e.detail['parameter-name'], e.detail['policy-type'], e.detail['action-status']])).toEqual([
      ['Parameter Store Policy Action', name, 'NoChangeNotification', 'Finished'],
      ['Parameter Store Policy Action', name, 'ExpirationNotification', 'Finished'],
      ['Parameter Store Policy Action', name, 'Expiration', 'Finished'],
    ]);
    expect(JSON.parse(received[2]!.body).Subject).toBe(`Tend Parameter Store Expiration: ${name}`);
    expect(received.map((r) => r.body).join('\n')).not.toContain('hunter2');
  });

  it('refuses policies on the Standard tier and an Expiration in the past', async () => {
    const { ssm } = server();
    await expect(put(ssm, '/api/policies/standard', 'v', { Tier: 'Standard', Policies: policiesText(noChangeNotification(1, 'Days')) })).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(put(ssm, '/api/policies/past', 'v', { Tier: 'Advanced', Policies: policiesText(expiration(clock.now() - 1000)) })).rejects.toMatchObject({
      name: 'InvalidPolicyAttributeException',
    });
  });
});
