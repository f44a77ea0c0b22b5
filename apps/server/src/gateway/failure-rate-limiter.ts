import { performance } from 'node:perf_hooks';

export interface FailureRateLimiterOptions {
  /** Failures allowed in a burst. */
  burst: number;
  /** Failures forgiven per minute once the burst is spent. */
  perMinute: number;
  /** Addresses remembered at most; bounds memory under a spread-out attack. */
  maxTracked?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per source address for failed attempts (activation code
 * guessing). Attempts are let in while a token is left and only failures
 * take one, so a fleet registering at once from one address is never slowed.
 * Failures of attempts that were in flight together may overdraw the
 * bucket; the debt is paid back in waiting time (up to an hour's worth).
 */
export class FailureRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly refillPerMs: number;
  private readonly maxTracked: number;

  constructor(private readonly options: FailureRateLimiterOptions) {
    this.refillPerMs = options.perMinute / 60_000;
    this.maxTracked = options.maxTracked ?? 10_000;
  }

  /** Whether an attempt may go ahead; when not, the seconds until it may. */
  check(address: string): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const bucket = this.buckets.get(address);
    if (!bucket) return { allowed: true };
    const tokens = this.refill(bucket, performance.now());
    return tokens >= 1 ? { allowed: true } : { allowed: false, retryAfterSeconds: Math.ceil((1 - tokens) / this.refillPerMs / 1000) };
  }

  /** Counts one failed attempt against the address. */
  charge(address: string): void {
    const now = performance.now();
    let bucket = this.buckets.get(address);
    if (!bucket) {
      if (this.buckets.size >= this.maxTracked) this.prune(now);
      bucket = { tokens: this.options.burst, at: now };
      this.buckets.set(address, bucket);
    }
    this.refill(bucket, now);
    bucket.tokens = Math.max(-this.options.perMinute * 60, bucket.tokens - 1);
  }

  private refill(bucket: Bucket, now: number): number {
    bucket.tokens = Math.min(this.options.burst, bucket.tokens + (now - bucket.at) * this.refillPerMs);
    bucket.at = now;
    return bucket.tokens;
  }

  /** Forgets addresses whose bucket has refilled; if that is not enough, the longest-known ones. */
  private prune(now: number): void {
    for (const [address, b] of this.buckets) {
      if (b.tokens + (now - b.at) * this.refillPerMs >= this.options.burst) this.buckets.delete(address);
    }
    for (const address of this.buckets.keys()) {
      if (this.buckets.size < this.maxTracked) break;
      this.buckets.delete(address);
    }
  }
}
