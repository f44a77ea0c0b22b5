import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import { ServiceError } from '../../rpc/errors.js';
import { REQUESTED_TIERS } from '../parameters/parameter-values.js';
import { topicNameOf } from '../notifications/notification-arns.js';
import type { ArnScope } from '../tags/tag-resource-types.js';

/** Parameter Store's default tier for PutParameter calls without Tier (a Systems Manager setting). */
export const DEFAULT_PARAMETER_TIER_SETTING = '/ssm/parameter-store/default-parameter-tier';
/** Tend's own: the topic every parameter policy event is also published to (Systems Manager sends them to EventBridge). */
export const POLICY_NOTIFICATION_TOPIC_SETTING = '/tend/parameter-store/policy-notification-topic';
/** Tend's own: the topic told when a node's patch compliance changes for the worse (or back) and when it starts or stops waiting for a reboot. */
export const PATCH_NOTIFICATION_TOPIC_SETTING = '/tend/patch-manager/notification-topic';
/** Tend's own: the topic told when a maintenance window's run fails, times out or is skipped. */
export const WINDOW_NOTIFICATION_TOPIC_SETTING = '/tend/maintenance-windows/notification-topic';

/** One service setting Tend knows: its default and what a new value must be. */
export interface ServiceSettingDefinition {
  id: string;
  defaultValue: string;
  /** Throws ValidationException (with the reason) for a value the setting does not take. */
  check(value: string, context: { db: Kysely<Database>; scope: ArnScope }): Promise<void>;
}

/** A setting naming a topic of this account and region that must exist when set; empty (the default) means none. */
function topicSetting(id: string): ServiceSettingDefinition {
  return {
    id,
    defaultValue: '',
    async check(value, { db, scope }) {
      try {
        topicNameOf(value, scope);
      } catch {
        throw invalidValue(id, `must be the ARN of a topic of this account and region (arn:aws:sns:${scope.region}:${scope.accountId}:<name>)`);
      }
      const topic = await db.selectFrom('notification_topics').select('arn').where('arn', '=', value).executeTakeFirst();
      if (!topic) throw invalidValue(id, `the topic ${value} does not exist; create it first (Tend.CreateTopic)`);
    },
  };
}

const definitions: ServiceSettingDefinition[] = [
  {
    id: DEFAULT_PARAMETER_TIER_SETTING,
    defaultValue: 'Standard',
    async check(value) {
      if (!(REQUESTED_TIERS as readonly string[]).includes(value)) {
        throw invalidValue(DEFAULT_PARAMETER_TIER_SETTING, `must be one of ${REQUESTED_TIERS.join(', ')}`);
      }
    },
  },
  // No topic: policy events stay in the outbox (and the audit trail) only.
  topicSetting(POLICY_NOTIFICATION_TOPIC_SETTING),
  // No topic: patch events stay in the outbox only.
  topicSetting(PATCH_NOTIFICATION_TOPIC_SETTING),
  // No topic: window execution events stay in the outbox only.
  topicSetting(WINDOW_NOTIFICATION_TOPIC_SETTING),
];

const byId = new Map(definitions.map((d) => [d.id, d]));

/**
 * The setting a SettingId names: the bare id (`/ssm/…`) or the ARN
 * Systems Manager answers (`arn:aws:ssm:<region>:<account>:servicesetting/ssm/…`).
 * An unknown id, or an ARN of another region or account, is ServiceSettingNotFound.
 */
export function serviceSettingDefinition(settingId: string, scope: ArnScope): ServiceSettingDefinition {
  const prefix = /^arn:aws[a-z-]*:ssm:([a-z0-9-]*):(\d*):servicesetting(\/.*)$/.exec(settingId);
  const id = prefix ? prefix[3]! : settingId;
  const definition = byId.get(id);
  if (!definition || (prefix && (prefix[1] !== scope.region || prefix[2] !== scope.accountId))) {
    throw new ServiceError('ServiceSettingNotFound', `The service setting ${settingId} was not found. Tend knows: ${definitions.map((d) => d.id).join(', ')}.`);
  }
  return definition;
}

/** The ARN of a setting, as ServiceSetting.ARN answers it. */
export function serviceSettingArn(scope: ArnScope, id: string): string {
  return `arn:aws:ssm:${scope.region}:${scope.accountId}:servicesetting${id}`;
}

/**
 * A setting's current value, in the caller's transaction or not: other
 * domains read their settings with this (PutParameter its default tier, the
 * policy handler its topic).
 */
export async function serviceSettingValue(db: Kysely<Database>, id: string): Promise<string> {
  const definition = byId.get(id);
  if (!definition) throw new Error(`unknown service setting ${id}`);
  const row = await db.selectFrom('service_settings').select('setting_value').where('setting_id', '=', id).executeTakeFirst();
  return row?.setting_value ?? definition.defaultValue;
}

function invalidValue(id: string, why: string): ServiceError {
  return new ServiceError('ValidationException', `Invalid SettingValue for ${id}: ${why}.`);
}

