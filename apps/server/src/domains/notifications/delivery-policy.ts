import { invalidParameter } from './notification-arns.js';

/** SNS's healthyRetryPolicy (delays in seconds), the part of a DeliveryPolicy Tend applies, to every protocol. */
export interface RetryPolicy {
  minDelayTarget: number;
  maxDelayTarget: number;
  numRetries: number;
  numNoDelayRetries: number;
  numMinDelayRetries: number;
  numMaxDelayRetries: number;
  backoffFunction: 'exponential' | 'linear';
}

/** Tend's default: quick first retries, then doubling up to five minutes; eleven attempts over about a quarter of an hour. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  minDelayTarget: 1,
  maxDelayTarget: 300,
  numRetries: 10,
  numNoDelayRetries: 0,
  numMinDelayRetries: 0,
  numMaxDelayRetries: 0,
  backoffFunction: 'exponential',
};

const RETRY_KEYS = new Set(Object.keys(DEFAULT_RETRY_POLICY));

/**
 * Parses a subscription's DeliveryPolicy attribute, e.g.
 * `{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":60,"numRetries":5}}`,
 * with SNS's limits. Anything Tend would not honour (throttlePolicy, the
 * arithmetic and geometric backoff functions) is refused, not ignored.
 */
export function parseDeliveryPolicy(text: string): RetryPolicy {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidParameter('DeliveryPolicy: not valid JSON');
  }
  if (!isObject(value)) throw invalidParameter('DeliveryPolicy: must be a JSON object');
  for (const key of Object.keys(value)) {
    if (key !== 'healthyRetryPolicy') throw invalidParameter(`DeliveryPolicy: ${key} is not supported by Tend (only healthyRetryPolicy)`);
  }
  const given = value.healthyRetryPolicy ?? {};
  if (!isObject(given)) throw invalidParameter('DeliveryPolicy: healthyRetryPolicy must be an object');
  for (const key of Object.keys(given)) {
    if (!RETRY_KEYS.has(key)) throw invalidParameter(`DeliveryPolicy: unknown healthyRetryPolicy member ${key}`);
  }
  const policy = { ...DEFAULT_RETRY_POLICY, ...given } as Record<string, unknown>;
  const int = (key: string, min: number, max: number): number => {
    const n = policy[key];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      throw invalidParameter(`DeliveryPolicy: ${key} must be an integer from ${min} to ${max}`);
    }
    return n;
  };
  const result: RetryPolicy = {
    minDelayTarget: int('minDelayTarget', 1, 3600),
    maxDelayTarget: int('maxDelayTarget', 1, 3600),
    numRetries: int('numRetries', 0, 100),
    numNoDelayRetries: int('numNoDelayRetries', 0, 100),
    numMinDelayRetries: int('numMinDelayRetries', 0, 100),
    numMaxDelayRetries: int('numMaxDelayRetries', 0, 100),
    backoffFunction: policy.backoffFunction as RetryPolicy['backoffFunction'],
  };
  if (result.backoffFunction !== 'exponential' && result.backoffFunction !== 'linear') {
    throw invalidParameter('DeliveryPolicy: backoffFunction must be exponential or linear in Tend');
  }
  if (result.minDelayTarget > result.maxDelayTarget) throw invalidParameter('DeliveryPolicy: minDelayTarget must not exceed maxDelayTarget');
  if (result.numNoDelayRetries + result.numMinDelayRetries + result.numMaxDelayRetries > result.numRetries) {
    throw invalidParameter('DeliveryPolicy: numNoDelayRetries + numMinDelayRetries + numMaxDelayRetries must not exceed numRetries');
  }
  return result;
}

/**
 * Seconds to wait before retry number `retry` (1 = the first retry), SNS's
 * phases in order: immediate retries, retries at the minimum delay, the
 * backoff phase from minimum to maximum, retries at the maximum delay.
 */
export function retryDelaySeconds(policy: RetryPolicy, retry: number): number {
  const { minDelayTarget: min, maxDelayTarget: max } = policy;
  if (retry <= policy.numNoDelayRetries) return 0;
  let step = retry - policy.numNoDelayRetries;
  if (step <= policy.numMinDelayRetries) return min;
  step -= policy.numMinDelayRetries;
  const backoffRetries = policy.numRetries - policy.numNoDelayRetries - policy.numMinDelayRetries - policy.numMaxDelayRetries;
  if (step > backoffRetries) return max;
  if (policy.backoffFunction === 'linear') return backoffRetries <= 1 ? min : min + ((max - min) * (step - 1)) / (backoffRetries - 1);
  return Math.min(max, min * 2 ** (step - 1));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
