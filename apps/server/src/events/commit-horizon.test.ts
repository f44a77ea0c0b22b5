import { describe, expect, it } from 'vitest';
import { CommitHorizon } from './commit-horizon.js';

describe('CommitHorizon', () => {
  it('steps over a hole only once every transaction that could fill it has ended', () => {
    const h = new CommitHorizon(1000);
    // Id 5 missing, 9 visible; transactions 100-104 still running.
    expect(h.canSkip(5, 5)).toBe(false);
    expect(h.observe(5, 9, 0, { xmin: 100, xmax: 105 })).toBe(false);
    // Within the settle time nothing is decided.
    expect(h.observe(5, 9, 500, { xmin: 100, xmax: 106 })).toBe(false);
    // After it, the bound is the xmax of that moment (107)…
    expect(h.observe(5, 9, 1000, { xmin: 101, xmax: 107 })).toBe(false);
    // …and the hole is dead when the oldest running transaction is past it.
    expect(h.observe(5, 9, 1200, { xmin: 106, xmax: 110 })).toBe(false);
    expect(h.observe(5, 9, 1300, { xmin: 107, xmax: 110 })).toBe(true);
    // Every missing id below the 9 first seen is now skippable, later ones are not.
    expect(h.canSkip(5, 8)).toBe(true);
    expect(h.canSkip(9, 9)).toBe(false);
  });

  it('keeps watching while later holes under the first sighting appear, and starts over above it', () => {
    const h = new CommitHorizon(0);
    expect(h.observe(3, 10, 0, { xmin: 50, xmax: 50 })).toBe(false);
    // Id 3 filled meanwhile; the next hole (6) is under 10, so the same watch covers it.
    expect(h.observe(6, 12, 1, { xmin: 50, xmax: 51 })).toBe(false);
    expect(h.observe(6, 12, 2, { xmin: 51, xmax: 52 })).toBe(true);
    expect(h.canSkip(6, 9)).toBe(true);
    // A hole at 11 was not known at the first sighting: a new watch.
    expect(h.canSkip(11, 11)).toBe(false);
    expect(h.observe(11, 12, 3, { xmin: 52, xmax: 52 })).toBe(false);
  });

  it('treats an empty range as nothing to skip', () => {
    expect(new CommitHorizon().canSkip(4, 3)).toBe(true);
  });
});
