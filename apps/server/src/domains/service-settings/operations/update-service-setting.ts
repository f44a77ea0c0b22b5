import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { serviceSettingDefinition } from '../service-settings.js';
import { scopeOf, settingArnFor, settingIdField, settingsStoreOf } from './common.js';

/** UpdateServiceSetting: gives a setting a customized value, checked against what the setting takes. */
export const updateServiceSetting = defineOperation({
  service: 'AmazonSSM',
  name: 'UpdateServiceSetting',
  action: 'ssm:UpdateServiceSetting',
  input: z.object({ SettingId: settingIdField, SettingValue: z.string().min(1).max(4096) }),
  mutating: true,
  resources: (i, ctx) => [settingArnFor(ctx, i.SettingId)],
  async run(i, ctx) {
    const scope = scopeOf(ctx);
    const setting = serviceSettingDefinition(i.SettingId, scope);
    await setting.check(i.SettingValue, { db: ctx.services.db, scope });
    await settingsStoreOf(ctx).update(setting, i.SettingValue, { user: ctx.caller.arn, at: ctx.now.getTime() });
    return {};
  },
});
