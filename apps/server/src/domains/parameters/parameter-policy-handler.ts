import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import type { TimerHandler, TimerRunResult } from '../../scheduler/durable-timer-loop.js';
import { signalOutboxWritten } from '../../events/outbox-signal.js';
import { publishInTransaction } from '../notifications/publish.js';
import { POLICY_NOTIFICATION_TOPIC_SETTING, serviceSettingValue } from '../service-settings/service-settings.js';
import type { ArnScope } from '../tags/tag-resource-types.js';
import { expirationTime, policyDueAt, policyPeriod, type PolicyTimerPayload } from './parameter-policies.js';
import type { StoredPolicy } from './parameter-values.js';
import type { ParameterRecord, ParametersStore } from './parameters.store.js';

/** Outbox event type of a parameter policy's action (DESIGN.md, "Events, not callbacks"). */
export const PARAMETER_POLICY_EVENT = 'parameter.policy';

/**
 * Payload of a `parameter.policy` event: the event Systems Manager sends to
 * EventBridge for a policy action ("Parameter Store Policy Action"), so a
 * consumer written for EventBridge reads it unchanged. Never holds a value.
 */
export interface ParameterPolicyEvent {
  version: '0';
  id: string;
  'detail-type': 'Parameter Store Policy Action';
  source: 'aws.ssm';
  account: string;
  /** ISO 8601, when the action was taken. */
  time: string;
  region: string;
  resources: string[];
  detail: {
    'parameter-name': string;
    'parameter-type': string;
    'policy-type': StoredPolicy['type'];
    'policy-content': string;
    'action-status': 'Finished' | 'Failed';
    /** What the policy does: Delete (Expiration) or Notify (the notification policies). */
    action: 'Delete' | 'Notify';
    'action-reason': string;
  };
}

export interface ParameterPolicyHandlerOptions {
  parameters: ParametersStore;
  scope: ArnScope;
}

/** Who an Expiration's deletion is recorded as. */
const POLICY_ACTOR = 'Parameter Store policy';

/**
 * Enforces parameter policies when their timers fall due. Each run locks the
 * parameter and decides from what it holds now: a policy that is gone,
 * replaced or already acted on does nothing; one whose time moved (a new
 * version restarts a NoChangeNotification) is rescheduled. Otherwise the
 * action, the policy's new status, the `parameter.policy` event and the
 * publication to the policy notification topic commit together.
 */
export function parameterPolicyHandler(options: ParameterPolicyHandlerOptions): TimerHandler {
  const { parameters, scope } = options;

  return {
    async run(timer, trx, now) {
      const { nameKey, policyType } = timer.payload as PolicyTimerPayload;
      const record = await parameters.lockForUpdate(trx, nameKey);
      const policy = record?.policies.find((p) => p.type === policyType);
      if (!record || !policy || policy.status) return { done: true };
      const dueAt = policyDueAt(policy, record.policies, record.lastModifiedDate);
      if (dueAt > now) return { rescheduleAt: dueAt };

      const event = policyEvent(scope, record, policy, 'Finished', actionReason(record, policy, now), now);
      const published = await publishToPolicyTopic(trx, event, now);
      if (published === 'topic missing') {
        // The event is recorded either way. A notification policy failed in that its notification
        // reached nobody; an Expiration still did what it is for.
        if (policy.type !== 'Expiration') event.detail['action-status'] = 'Failed';
        event.detail['action-reason'] += ' Not published: the policy notification topic no longer exists.';
      }
      await trx.insertInto('outbox_events').values({ event_type: PARAMETER_POLICY_EVENT, occurred_at: now, payload: JSON.stringify(event) }).execute();
      if (policy.type === 'Expiration') await parameters.removeIn(trx, [nameKey], { user: POLICY_ACTOR, at: now });
      else await recordStatus(trx, parameters, record, policy, event.detail['action-status'], event.detail['action-reason']);
      return { done: true, afterCommit: afterCommit(parameters, nameKey) };
    },

    // A policy whose action kept failing: marked Failed with the reason, and
    // an event says so. (Not published: publishing may be what failed.)
    async giveUp(timer, trx, reason, now) {
      const { nameKey, policyType } = timer.payload as PolicyTimerPayload;
      const record = await parameters.lockForUpdate(trx, nameKey);
      const policy = record?.policies.find((p) => p.type === policyType);
      if (!record || !policy || policy.status) return;
      const why = `Tend could not apply the policy: ${reason}`;
      const event = policyEvent(scope, record, policy, 'Failed', why, now);
      await trx.insertInto('outbox_events').values({ event_type: PARAMETER_POLICY_EVENT, occurred_at: now, payload: JSON.stringify(event) }).execute();
      await recordStatus(trx, parameters, record, policy, 'Failed', why);
      return { done: true, afterCommit: afterCommit(parameters, nameKey) };
    },
  };
}

function afterCommit(parameters: ParametersStore, nameKey: string): TimerRunResult['afterCommit'] {
  return () => {
    parameters.forgetCached([nameKey]);
    signalOutboxWritten();
  };
}

async function recordStatus(
  trx: Kysely<Database>,
  parameters: ParametersStore,
  record: ParameterRecord,
  policy: StoredPolicy,
  status: 'Finished' | 'Failed',
  reason: string,
): Promise<void> {
  const policies = record.policies.map((p) => (p.type === policy.type ? { ...p, status, reason } : p));
  await parameters.recordPolicyOutcome(trx, record, policies);
}

/**
 * Publishes the event to the topic named by the policy notification topic
 * setting, in the caller's transaction (delivered if and only if the action
 * commits).
 */
async function publishToPolicyTopic(trx: Kysely<Database>, event: ParameterPolicyEvent, now: number): Promise<'published' | 'no topic' | 'topic missing'> {
  const topicArn = await serviceSettingValue(trx, POLICY_NOTIFICATION_TOPIC_SETTING);
  if (!topicArn) return 'no topic';
  const detail = event.detail;
  const subject = `Tend Parameter Store ${detail['policy-type']}: ${detail['parameter-name']}`.slice(0, 99);
  const messageId = await publishInTransaction(trx, { topicArn, subject, message: JSON.stringify(event) }, { now, ifTopicMissing: 'skip' });
  return messageId ? 'published' : 'topic missing';
}

function policyEvent(
  scope: ArnScope,
  record: ParameterRecord,
  policy: StoredPolicy,
  status: 'Finished' | 'Failed',
  reason: string,
  now: number,
): ParameterPolicyEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Parameter Store Policy Action',
    source: 'aws.ssm',
    account: scope.accountId,
    time: new Date(now).toISOString(),
    region: scope.region,
    resources: [record.arn],
    detail: {
      'parameter-name': record.name,
      'parameter-type': record.type,
      'policy-type': policy.type,
      'policy-content': policy.text,
      'action-status': status,
      action: policy.type === 'Expiration' ? 'Delete' : 'Notify',
      'action-reason': reason,
    },
  };
}

/** Why the policy acted, in words for the person who gets the notification. */
function actionReason(record: ParameterRecord, policy: StoredPolicy, now: number): string {
  const expiresAt = expirationTime(record.policies);
  const iso = (ms: number) => new Date(ms).toISOString();
  switch (policy.type) {
    case 'Expiration':
      return `The parameter expired at ${iso(expiresAt!)} and was deleted.`;
    case 'ExpirationNotification': {
      const hoursLeft = Math.max(0, Math.round((expiresAt! - now) / 3_600_000));
      return `The parameter expires at ${iso(expiresAt!)} (in about ${hoursLeft} hours); the policy asked for a warning ${policyPeriod(policy).words} before.`;
    }
    case 'NoChangeNotification':
      return `The parameter has not been changed for ${policyPeriod(policy).words}, since version ${record.version} at ${iso(record.lastModifiedDate)}.`;
  }
}
