import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, parseDeliveryPolicy, retryDelaySeconds } from './delivery-policy.js';

describe('delivery policy', () => {
  it('doubles from the minimum to the maximum delay by default', () => {
    const delays = Array.from({ length: DEFAULT_RETRY_POLICY.numRetries }, (_, i) => retryDelaySeconds(DEFAULT_RETRY_POLICY, i + 1));
    expect(delays).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 300]);
  });

  it('follows SNS’s phases: immediate, minimum, backoff, maximum', () => {
    const policy = parseDeliveryPolicy(
      JSON.stringify({ healthyRetryPolicy: { minDelayTarget: 5, maxDelayTarget: 40, numRetries: 8, numNoDelayRetries: 1, numMinDelayRetries: 2, numMaxDelayRetries: 1 } }),
    );
    expect(Array.from({ length: 8 }, (_, i) => retryDelaySeconds(policy, i + 1))).toEqual([0, 5, 5, 5, 10, 20, 40, 40]);
  });

  it('spreads linear backoff evenly between the targets', () => {
    const policy = parseDeliveryPolicy(JSON.stringify({ healthyRetryPolicy: { minDelayTarget: 10, maxDelayTarget: 40, numRetries: 4, backoffFunction: 'linear' } }));
    expect([1, 2, 3, 4].map((r) => retryDelaySeconds(policy, r))).toEqual([10, 20, 30, 40]);
  });

  it.each([
    ['not JSON', '{'],
    ['a throttle policy', JSON.stringify({ throttlePolicy: { maxReceivesPerSecond: 1 } })],
    ['an unknown member', JSON.stringify({ healthyRetryPolicy: { retries: 3 } })],
    ['a fractional delay', JSON.stringify({ healthyRetryPolicy: { minDelayTarget: 0.5 } })],
    ['a minimum above the maximum', JSON.stringify({ healthyRetryPolicy: { minDelayTarget: 50, maxDelayTarget: 10 } })],
    ['more phase retries than retries', JSON.stringify({ healthyRetryPolicy: { numRetries: 2, numNoDelayRetries: 3 } })],
    ['geometric backoff', JSON.stringify({ healthyRetryPolicy: { backoffFunction: 'geometric' } })],
  ])('refuses %s', (_what, text) => {
    expect(() => parseDeliveryPolicy(text)).toThrow(expect.objectContaining({ type: 'InvalidParameterException' }));
  });
});
