import { expect, it } from 'vitest';
import { GetServiceSettingCommand, ResetServiceSettingCommand, UpdateServiceSettingCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase, TEST_ACCOUNT } from '../../../testing/test-server.js';
import { put, useTestServer } from '../../parameters/operations/test-support.js';

const TIER = '/ssm/parameter-store/default-parameter-tier';

describeEachDatabase('ResetServiceSetting', (dialect) => {
  const server = useTestServer(dialect);

  it('puts a customized setting back to its default and answers it, recording the reset', async () => {
    const t = server();
    await t.ssm.send(new UpdateServiceSettingCommand({ SettingId: TIER, SettingValue: 'Advanced' }));
    const { ServiceSetting } = await t.ssm.send(new ResetServiceSettingCommand({ SettingId: TIER }));
    expect(ServiceSetting).toMatchObject({ SettingId: TIER, SettingValue: 'Standard', Status: 'Default', LastModifiedUser: `arn:aws:iam::${TEST_ACCOUNT}:root` });
    expect((await t.ssm.send(new GetServiceSettingCommand({ SettingId: TIER }))).ServiceSetting).toEqual(ServiceSetting);
    expect(await put(t.ssm, '/reset/p', 'v')).toMatchObject({ Tier: 'Standard' });
  });

  it('answers ServiceSettingNotFound for an unknown setting', async () => {
    await expect(server().ssm.send(new ResetServiceSettingCommand({ SettingId: '/ssm/no/such-setting' }))).rejects.toMatchObject({ name: 'ServiceSettingNotFound' });
  });
});
