import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { serviceSettingDefinition } from '../service-settings.js';
import { scopeOf, settingArnFor, settingIdField, settingsStoreOf } from './common.js';

/** GetServiceSetting: a setting's current value, and whether it is the default or was customized. */
export const getServiceSetting = defineOperation({
  service: 'AmazonSSM',
  name: 'GetServiceSetting',
  action: 'ssm:GetServiceSetting',
  input: z.object({ SettingId: settingIdField }),
  mutating: false,
  resources: (i, ctx) => [settingArnFor(ctx, i.SettingId)],
  async run(i, ctx) {
    const setting = serviceSettingDefinition(i.SettingId, scopeOf(ctx));
    return { ServiceSetting: await settingsStoreOf(ctx).get(setting, scopeOf(ctx)) };
  },
});
