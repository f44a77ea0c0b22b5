import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import type { ArnScope } from '../tags/tag-resource-types.js';
import { serviceSettingArn, type ServiceSettingDefinition } from './service-settings.js';

/** `ServiceSetting` of GetServiceSetting and ResetServiceSetting (times in epoch seconds, as AWS JSON has them). */
export interface ServiceSettingOutput {
  SettingId: string;
  SettingValue: string;
  LastModifiedDate: number;
  LastModifiedUser: string;
  ARN: string;
  Status: 'Default' | 'Customized';
}

/** Who Systems Manager names as the last modifier of a setting nobody changed. */
const SYSTEM_USER = 'System';

/**
 * The account's service settings. A setting nobody touched has no row and
 * answers its default, dated from when this Tend database was set up.
 */
export class ServiceSettingsStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(setting: ServiceSettingDefinition, scope: ArnScope): Promise<ServiceSettingOutput> {
    const row = await this.db.selectFrom('service_settings').selectAll().where('setting_id', '=', setting.id).executeTakeFirst();
    if (row) return output(scope, setting.id, row);
    return output(scope, setting.id, {
      setting_value: setting.defaultValue,
      status: 'Default',
      last_modified_date: await this.installedAt(),
      last_modified_user: SYSTEM_USER,
    });
  }

  /** Sets a customized value (checked by the caller). */
  async update(setting: ServiceSettingDefinition, value: string, change: { user: string; at: number }): Promise<void> {
    await this.write(setting.id, { setting_value: value, status: 'Customized', last_modified_date: change.at, last_modified_user: change.user });
  }

  /** Back to the default value; the reset itself is recorded as the last change, as Systems Manager does. */
  async reset(setting: ServiceSettingDefinition, change: { user: string; at: number }): Promise<void> {
    await this.write(setting.id, { setting_value: setting.defaultValue, status: 'Default', last_modified_date: change.at, last_modified_user: change.user });
  }

  private async write(id: string, values: Omit<Database['service_settings'], 'setting_id'>): Promise<void> {
    await this.db
      .insertInto('service_settings')
      .values({ setting_id: id, ...values })
      .onConflict((oc) => oc.column('setting_id').doUpdateSet(values))
      .execute();
  }

  private async installedAt(): Promise<number> {
    const row = await this.db.selectFrom('tend_migrations').select((eb) => eb.fn.min('applied_at').as('first')).executeTakeFirst();
    return Number(row?.first ?? 0);
  }
}

function output(scope: ArnScope, id: string, row: Omit<Database['service_settings'], 'setting_id'>): ServiceSettingOutput {
  return {
    SettingId: id,
    SettingValue: row.setting_value,
    LastModifiedDate: Number(row.last_modified_date) / 1000,
    LastModifiedUser: row.last_modified_user,
    ARN: serviceSettingArn(scope, id),
    Status: row.status,
  };
}
