import { z } from 'zod';
import type { OperationContext } from '../../../rpc/operation.js';
import type { ArnScope } from '../../tags/tag-resource-types.js';
import { serviceSettingArn } from '../service-settings.js';
import { ServiceSettingsStore } from '../service-settings.store.js';

/** SettingId as the API takes it: a bare id or the setting's ARN. */
export const settingIdField = z.string().min(1).max(1000);

export function scopeOf(ctx: OperationContext): ArnScope {
  return { region: ctx.services.config.region, accountId: ctx.services.config.accountId };
}

export function settingsStoreOf(ctx: OperationContext): ServiceSettingsStore {
  return new ServiceSettingsStore(ctx.services.db);
}

/** The ARN authorization checks: the given ARN, or the one of a bare id (an unknown id is reported by the operation). */
export function settingArnFor(ctx: OperationContext, settingId: string): string {
  return settingId.startsWith('arn:') ? settingId : serviceSettingArn(scopeOf(ctx), settingId);
}
