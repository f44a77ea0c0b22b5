import { expect, it } from 'vitest';
import { GetServiceSettingCommand, UpdateServiceSettingCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase, TEST_ACCOUNT, TEST_REGION } from '../../../testing/test-server.js';
import { put, useTestServer, userWithPolicy } from '../../parameters/operations/test-support.js';
import { createTopic } from '../../notifications/notification-test-support.js';

const TIER = '/ssm/parameter-store/default-parameter-tier';
const TOPIC = '/tend/parameter-store/policy-notification-topic';

describeEachDatabase('UpdateServiceSetting', (dialect) => {
  const server = useTestServer(dialect);

  it('customizes a setting, by id or ARN, and records who changed it and when', async () => {
    const t = server();
    const before = Date.now();
    expect(await t.ssm.send(new UpdateServiceSettingCommand({ SettingId: TIER, SettingValue: 'Intelligent-Tiering' }))).not.toHaveProperty('ServiceSetting');
    const { ServiceSetting } = await t.ssm.send(new GetServiceSettingCommand({ SettingId: TIER }));
    expect(ServiceSetting).toMatchObject({ SettingValue: 'Intelligent-Tiering', Status: 'Customized', LastModifiedUser: `arn:aws:iam::${TEST_ACCOUNT}:root` });
    expect(ServiceSetting!.LastModifiedDate!.getTime()).toBeGreaterThanOrEqual(before - 1000);

    await t.ssm.send(new UpdateServiceSettingCommand({ SettingId: `arn:aws:ssm:${TEST_REGION}:${TEST_ACCOUNT}:servicesetting${TIER}`, SettingValue: 'Standard' }));
    expect((await t.ssm.send(new GetServiceSettingCommand({ SettingId: TIER }))).ServiceSetting).toMatchObject({ SettingValue: 'Standard', Status: 'Customized' });
  });

  it('gives PutParameter without Tier the default tier, and leaves an explicit Tier alone', async () => {
    const t = server();
    await t.ssm.send(new UpdateServiceSettingCommand({ SettingId: TIER, SettingValue: 'Advanced' }));
    expect(await put(t.ssm, '/default-tier/a', 'small')).toMatchObject({ Tier: 'Advanced' });
    expect(await put(t.ssm, '/default-tier/b', 'small', { Tier: 'Standard' })).toMatchObject({ Tier: 'Standard' });

    await t.ssm.send(new UpdateServiceSettingCommand({ SettingId: TIER, SettingValue: 'Intelligent-Tiering' }));
    expect(await put(t.ssm, '/default-tier/c', 'small')).toMatchObject({ Tier: 'Standard' });
    expect(await put(t.ssm, '/default-tier/d', 'x'.repeat(5000))).toMatchObject({ Tier: 'Advanced' });

    // The default Standard never downgrades: an Advanced parameter stays Advanced on a write without Tier.
    await t.ssm.send(new UpdateServiceSettingCommand({ SettingId: TIER, SettingValue: 'Standard' }));
    expect(await put(t.ssm, '/default-tier/a', 'again', { Overwrite: true })).toMatchObject({ Tier: 'Advanced', Version: 2 });
    expect(await put(t.ssm, '/default-tier/e', 'small')).toMatchObject({ Tier: 'Standard' });
  });

  it('takes a topic of this account as the policy notification topic, and refuses one that does not exist', async () => {
    const t = server();
    const topic = await createTopic(t, 'param-policies');
    await t.ssm.send(new UpdateServiceSettingCommand({ SettingId: TOPIC, SettingValue: topic }));
    expect((await t.ssm.send(new GetServiceSettingCommand({ SettingId: TOPIC }))).ServiceSetting).toMatchObject({ SettingValue: topic, Status: 'Customized' });
    await expect(t.ssm.send(new UpdateServiceSettingCommand({ SettingId: TOPIC, SettingValue: `${topic}-missing` }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('does not exist'),
    });
    await expect(t.ssm.send(new UpdateServiceSettingCommand({ SettingId: TOPIC, SettingValue: 'not-an-arn' }))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it.each([
    ['a tier that does not exist', TIER, 'Premium', 'ValidationException'],
    ['an empty value', TIER, '', 'ValidationException'],
    ['an unknown setting', '/ssm/no/such-setting', 'x', 'ServiceSettingNotFound'],
  ])('refuses %s', async (_why, SettingId, SettingValue, name) => {
    await expect(server().ssm.send(new UpdateServiceSettingCommand({ SettingId, SettingValue }))).rejects.toMatchObject({ name });
  });

  it('needs ssm:UpdateServiceSetting on the setting, and is audited', async () => {
    const t = server();
    const reader = await userWithPolicy(t, 'settings-reader', [{ Effect: 'Allow', Action: 'ssm:GetServiceSetting', Resource: '*' }]);
    await expect(reader.ssm.send(new GetServiceSettingCommand({ SettingId: TIER }))).resolves.toBeDefined();
    await expect(reader.ssm.send(new UpdateServiceSettingCommand({ SettingId: TIER, SettingValue: 'Advanced' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    const audit = await t.server.services.db.selectFrom('audit_events').select(['operation', 'outcome']).where('operation', 'like', '%UpdateServiceSetting').execute();
    expect(audit.length).toBeGreaterThan(0);
  });
});
