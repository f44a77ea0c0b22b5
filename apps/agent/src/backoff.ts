/**
 * Exponential backoff with full jitter (each delay uniform in
 * [0, min(cap, base·2^attempt)]): after a server restart thousands of agents
 * spread their reconnections instead of arriving together.
 */
export interface BackoffOptions {
  baseMs?: number;
  capMs?: number;
  /** Injected in tests; Math.random otherwise. */
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly baseMs: number;
  private readonly capMs: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 1000;
    this.capMs = options.capMs ?? 60_000;
    this.random = options.random ?? Math.random;
  }

  /** The delay before the next attempt; each call widens the window until it reaches the cap. */
  next(): number {
    // Past ~2^30 the exponent is irrelevant: the cap has long been reached.
    const ceiling = Math.min(this.capMs, this.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.floor(this.random() * ceiling);
  }

  /** Called after a healthy connection so the next failure starts again with short delays. */
  reset(): void {
    this.attempt = 0;
  }

  /** Failures since the last reset. */
  get failures(): number {
    return this.attempt;
  }
}

/** Resolves after `ms`, or early (without rejecting) when `signal` aborts, so callers check the signal after waking. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
