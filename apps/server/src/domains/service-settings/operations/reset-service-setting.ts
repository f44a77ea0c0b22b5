import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { serviceSettingDefinition } from '../service-settings.js';
import { scopeOf, settingArnFor, settingIdField, settingsStoreOf } from './common.js';

/** ResetServiceSetting: puts a setting back to its default value and answers it. */
export const resetServiceSetting = defineOperation({
  service: 'AmazonSSM',
  name: 'ResetServiceSetting',
  action: 'ssm:ResetServiceSetting',
  input: z.object({ SettingId: settingIdField }),
  mutating: true,
  resources: (i, ctx) => [settingArnFor(ctx, i.SettingId)],
  async run(i, ctx) {
    const scope = scopeOf(ctx);
    const setting = serviceSettingDefinition(i.SettingId, scope);
    const store = settingsStoreOf(ctx);
    await store.reset(setting, { user: ctx.caller.arn, at: ctx.now.getTime() });
    return { ServiceSetting: await store.get(setting, scope) };
  },
});
