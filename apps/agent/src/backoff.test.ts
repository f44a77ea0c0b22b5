import { describe, expect, it } from 'vitest';
import { Backoff, sleep } from './backoff.js';

describe('backoff', () => {
  it('doubles the window from the base up to the cap', () => {
    const backoff = new Backoff({ baseMs: 1000, capMs: 60_000, random: () => 0.999999 });
    const delays = Array.from({ length: 9 }, () => backoff.next());
    expect(delays).toEqual([999, 1999, 3999, 7999, 15_999, 31_999, 59_999, 59_999, 59_999]);
  });

  it('draws each delay uniformly from [0, window) (full jitter)', () => {
    const draws = [0, 0.5, 0.25];
    const backoff = new Backoff({ baseMs: 1000, random: () => draws.shift()! });
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([0, 1000, 1000]);
  });

  it('spreads a crowd: delays of many agents for the same attempt are not bunched', () => {
    const delays = Array.from({ length: 1000 }, () => {
      const b = new Backoff({ baseMs: 1000 });
      b.next();
      b.next();
      return b.next(); // third attempt: window 4 s
    });
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(4000);
    const firstHalf = delays.filter((d) => d < 2000).length;
    expect(firstHalf).toBeGreaterThan(400);
    expect(firstHalf).toBeLessThan(600);
  });

  it('starts over after reset', () => {
    const backoff = new Backoff({ baseMs: 1000, random: () => 0.999 });
    for (let i = 0; i < 10; i++) backoff.next();
    expect(backoff.failures).toBe(10);
    backoff.reset();
    expect(backoff.failures).toBe(0);
    expect(backoff.next()).toBeLessThan(1000);
  });

  it('never overflows after very many attempts', () => {
    const backoff = new Backoff({ baseMs: 1000, capMs: 60_000, random: () => 0.5 });
    for (let i = 0; i < 5000; i++) backoff.next();
    expect(backoff.next()).toBe(30_000);
  });
});

describe('sleep', () => {
  it('wakes early when the signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 20);
    await sleep(10_000, controller.signal);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
