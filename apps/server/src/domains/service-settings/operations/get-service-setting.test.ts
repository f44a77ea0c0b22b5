import { expect, it } from 'vitest';
import { GetServiceSettingCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase, TEST_ACCOUNT, TEST_REGION } from '../../../testing/test-server.js';
import { useTestServer } from '../../parameters/operations/test-support.js';

const TIER = '/ssm/parameter-store/default-parameter-tier';
const tierArn = `arn:aws:ssm:${TEST_REGION}:${TEST_ACCOUNT}:servicesetting${TIER}`;

describeEachDatabase('GetServiceSetting', (dialect) => {
  const server = useTestServer(dialect);

  it('answers a setting nobody changed with its default, by id or by ARN', async () => {
    const { ssm } = server();
    const { ServiceSetting } = await ssm.send(new GetServiceSettingCommand({ SettingId: TIER }));
    expect(ServiceSetting).toEqual({
      SettingId: TIER,
      SettingValue: 'Standard',
      LastModifiedDate: expect.any(Date),
      LastModifiedUser: 'System',
      ARN: tierArn,
      Status: 'Default',
    });
    expect((await ssm.send(new GetServiceSettingCommand({ SettingId: tierArn }))).ServiceSetting).toEqual(ServiceSetting);
    const topic = await ssm.send(new GetServiceSettingCommand({ SettingId: '/tend/parameter-store/policy-notification-topic' }));
    expect(topic.ServiceSetting).toMatchObject({ SettingValue: '', Status: 'Default' });
  });

  it.each([
    ['an id Tend does not know', '/ssm/no/such-setting'],
    ['a setting of Systems Manager that Tend has no use for', '/ssm/opsinsights/opscenter'],
    ['the ARN of another account', `arn:aws:ssm:${TEST_REGION}:999999999999:servicesetting${TIER}`],
  ])('answers ServiceSettingNotFound for %s', async (_why, SettingId) => {
    await expect(server().ssm.send(new GetServiceSettingCommand({ SettingId }))).rejects.toMatchObject({
      name: 'ServiceSettingNotFound',
      $metadata: { httpStatusCode: 400 },
    });
  });
});
