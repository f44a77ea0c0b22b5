import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import { cancelTimers, scheduleTimer } from '../../scheduler/durable-timers.store.js';
import { POLICY_TYPES, type PolicyType, type StoredPolicy } from './parameter-values.js';

/** Kind of the durable timers that enforce parameter policies (one timer per parameter and policy type). */
export const PARAMETER_POLICY_TIMER = 'parameter.policy';

/** Payload of a parameter policy timer; the handler reads everything else from the parameter itself. */
export interface PolicyTimerPayload {
  nameKey: string;
  policyType: PolicyType;
}

const HOUR_MS = 3_600_000;

/**
 * Key of the timer of one policy type of one parameter. Migration 0009
 * writes the same keys for parameters that had policies before timers existed.
 */
export function policyTimerKey(nameKey: string, type: PolicyType): string {
  return `parameter-policy:${nameKey}:${type}`;
}

/** Every timer key a parameter may have, to cancel them when it is deleted. */
export function policyTimerKeys(nameKeys: string[]): string[] {
  return nameKeys.flatMap((nameKey) => POLICY_TYPES.map((type) => policyTimerKey(nameKey, type)));
}

/** A policy's JSON attributes (checked when the policy was put). */
export function policyAttributes(policy: StoredPolicy): Record<string, string> {
  return (JSON.parse(policy.text) as { Attributes: Record<string, string> }).Attributes;
}

/** The Expiration policy's time, epoch ms. */
export function expirationTime(policies: StoredPolicy[]): number | undefined {
  const expiration = policies.find((p) => p.type === 'Expiration');
  return expiration ? Date.parse(policyAttributes(expiration).Timestamp!) : undefined;
}

/** "Before"/"After" of a notification policy, in milliseconds, and as words for messages. */
export function policyPeriod(policy: StoredPolicy): { ms: number; words: string } {
  const attributes = policyAttributes(policy);
  const count = Number(policy.type === 'ExpirationNotification' ? attributes.Before : attributes.After);
  const unit = attributes.Unit === 'Days' ? 'Days' : 'Hours';
  const ms = count * (unit === 'Days' ? 24 * HOUR_MS : HOUR_MS);
  return { ms, words: `${count} ${count === 1 ? unit.slice(0, -1).toLowerCase() : unit.toLowerCase()}` };
}

/**
 * When a policy acts. Expiration: at its Timestamp. ExpirationNotification:
 * its period before that (at once if that moment has passed: a late warning
 * beats none). NoChangeNotification: its period after the last change, so a
 * new version moves it.
 */
export function policyDueAt(policy: StoredPolicy, policies: StoredPolicy[], lastModifiedDate: number): number {
  switch (policy.type) {
    case 'Expiration':
      return expirationTime([policy])!;
    case 'ExpirationNotification':
      return (expirationTime(policies) ?? Number.MAX_SAFE_INTEGER) - policyPeriod(policy).ms;
    case 'NoChangeNotification':
      return lastModifiedDate + policyPeriod(policy).ms;
  }
}

/**
 * The policies of a new version, with what became of them.
 *
 * As Systems Manager documents it, a parameter keeps its policies until a
 * write replaces them: PutParameter without Policies keeps the current ones,
 * with Policies replaces them all ("[]" or "[{}]" removes them).
 *
 * What Tend chose for their status: a policy is identified by its text, so a
 * write that sends the same policy again (as CloudFormation and Terraform do
 * on every update) keeps its status, and a notification already sent is not
 * sent twice; a changed policy starts Pending. A NoChangeNotification always
 * starts over: the new version is the change it watches for.
 */
export function nextVersionPolicies(requested: StoredPolicy[] | undefined, current: StoredPolicy[] | undefined): StoredPolicy[] {
  const before = new Map((current ?? []).map((p) => [p.type, p]));
  return (requested ?? current ?? []).map((policy) => {
    const previous = before.get(policy.type);
    const same = previous && previous.text === policy.text && policy.type !== 'NoChangeNotification';
    return same && previous.status ? { type: policy.type, text: policy.text, status: previous.status, reason: previous.reason } : { type: policy.type, text: policy.text };
  });
}

/**
 * Sets the parameter's policy timers to its current policies, in the
 * transaction that wrote them: one timer per Pending policy, at its due time;
 * none for policies that are gone or already acted on.
 */
export async function scheduleParameterPolicies(trx: Kysely<Database>, nameKey: string, policies: StoredPolicy[], lastModifiedDate: number, now: number): Promise<void> {
  const stale: string[] = [];
  for (const type of POLICY_TYPES) {
    const policy = policies.find((p) => p.type === type);
    const key = policyTimerKey(nameKey, type);
    if (!policy || policy.status) {
      stale.push(key);
      continue;
    }
    const payload: PolicyTimerPayload = { nameKey, policyType: type };
    await scheduleTimer(trx, { key, kind: PARAMETER_POLICY_TIMER, dueAt: policyDueAt(policy, policies, lastModifiedDate), payload }, now);
  }
  await cancelTimers(trx, stale);
}

/** `Policies` of DescribeParameters and GetParameterHistory. */
export function policiesOutput(policies: StoredPolicy[]) {
  return policies.map((p) => ({ PolicyText: p.text, PolicyType: p.type, PolicyStatus: p.status ?? 'Pending' }));
}
