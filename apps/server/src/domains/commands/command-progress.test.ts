import { describe, expect, it } from 'vitest';
import { ServiceError } from '../../rpc/errors.js';
import {
  type CommandProgressState,
  type InvocationView,
  applyActions,
  concurrencyWindow,
  isInFlight,
  nextActions,
  parseRateLimit,
  resolveRateLimit,
  summarize,
  validateRateLimit,
  withDetails,
} from './command-progress.js';
import {
  CANCELLED_DETAIL,
  INVOCATION_STATUS_DETAILS,
  type InvocationStatusDetails,
  invocationStatusFor,
  isErrorDetail,
  isTerminalDetail,
} from './command-status.js';

// ---- helpers ---------------------------------------------------------------------------------

function queued(id: string, deliveryDeadline?: number): InvocationView {
  return { id, status: 'Pending', statusDetails: 'Pending', deliveryDeadline };
}
function running(id: string, startedAt = 0, deliveryDeadline?: number): InvocationView {
  return { id, status: 'InProgress', statusDetails: 'In Progress', startedAt, deliveryDeadline };
}
/** `started` false: ended without ever being sent (Terminated, cancelled while queued, …). */
function finished(id: string, details: InvocationStatusDetails, started = true): InvocationView {
  return { id, status: invocationStatusFor(details), statusDetails: details, startedAt: started ? 0 : undefined };
}
function fleet(n: number): InvocationView[] {
  return Array.from({ length: n }, (_, i) => queued(`i-${String(i).padStart(4, '0')}`));
}
function state(invocations: InvocationView[], maxConcurrency = 50, maxErrors = 0, cancelRequested = false): CommandProgressState {
  return { maxConcurrency, maxErrors, cancelRequested, invocations };
}
/** The agent's report for one invocation. */
function report(s: CommandProgressState, id: string, details: InvocationStatusDetails): CommandProgressState {
  return { ...s, invocations: s.invocations.map((inv) => (inv.id === id ? withDetails(inv, details) : inv)) };
}
function step(s: CommandProgressState, now = 0, timeoutMs?: number) {
  const actions = nextActions(s, now);
  return { actions, next: applyActions(s, actions, now, timeoutMs) };
}
function inFlightIds(s: CommandProgressState): string[] {
  return s.invocations.filter(isInFlight).map((i) => i.id);
}
function expectValidation(fn: () => unknown, fragment: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ServiceError);
    expect((e as ServiceError).type).toBe('ValidationException');
    expect((e as ServiceError).message).toContain(fragment);
    return;
  }
  throw new Error('expected a ValidationException');
}

/** Deterministic PRNG so a failing property case can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- catalogues ------------------------------------------------------------------------------

describe('status catalogues', () => {
  it('lists the twelve invocation details of the SDK docs', () => {
    expect(INVOCATION_STATUS_DETAILS).toEqual([
      'Pending', 'In Progress', 'Delayed', 'Success', 'Delivery Timed Out', 'Execution Timed Out',
      'Failed', 'Cancelled', 'Undeliverable', 'Terminated', 'Invalid Platform', 'Access Denied',
    ]);
  });
  it.each([
    ['Pending', 'Pending', false, false],
    ['In Progress', 'InProgress', false, false],
    ['Delayed', 'Delayed', false, false],
    ['Success', 'Success', true, false],
    ['Delivery Timed Out', 'TimedOut', true, false],
    ['Execution Timed Out', 'TimedOut', true, true],
    ['Failed', 'Failed', true, true],
    [CANCELLED_DETAIL, 'Cancelled', true, false],
    ['Undeliverable', 'Failed', true, false],
    ['Terminated', 'Cancelled', true, false],
    ['Invalid Platform', 'Failed', true, false],
    ['Access Denied', 'Failed', true, false],
  ] as const)('%s → Status %s, terminal %s, error %s', (details, status, terminal, error) => {
    expect(invocationStatusFor(details)).toBe(status);
    expect(isTerminalDetail(details)).toBe(terminal);
    expect(isErrorDetail(details)).toBe(error);
  });
});

// ---- rate limits -----------------------------------------------------------------------------

describe('parseRateLimit', () => {
  it.each([
    // text, targets, kind, expected
    [undefined, 500, 'MaxConcurrency', 50],
    [undefined, 3, 'MaxConcurrency', 50],
    [undefined, 500, 'MaxErrors', 0],
    ['1', 10, 'MaxConcurrency', 1],
    ['10', 3, 'MaxConcurrency', 10],
    ['1000', 10, 'MaxConcurrency', 1000],
    ['10%', 100, 'MaxConcurrency', 10],
    ['10%', 55, 'MaxConcurrency', 5], // 5.5 rounds down
    ['10%', 5, 'MaxConcurrency', 1], // 0.5 → 0, raised to the minimum of 1
    ['1%', 0, 'MaxConcurrency', 1],
    ['100%', 7, 'MaxConcurrency', 7],
    ['33%', 10, 'MaxConcurrency', 3],
    ['99%', 100, 'MaxConcurrency', 99],
    ['0', 10, 'MaxErrors', 0],
    ['3', 10, 'MaxErrors', 3],
    ['100', 10, 'MaxErrors', 100],
    ['10%', 50, 'MaxErrors', 5], // the documented example: stop on the sixth error
    ['10%', 59, 'MaxErrors', 5],
    ['10%', 9, 'MaxErrors', 0], // under one error's worth: the first error stops the rollout
    ['0%', 100, 'MaxErrors', 0],
    ['5%', 100, 'MaxErrors', 5],
    ['100%', 8, 'MaxErrors', 8],
    ['29%', 100, 'MaxErrors', 29], // 0.29 * 100 is 28.999… in floating point; must still be 29
    ['57%', 100, 'MaxErrors', 57],
  ] as const)('%s of %i targets as %s → %i', (text, targets, kind, expected) => {
    expect(parseRateLimit(text, targets, kind)).toBe(expected);
  });

  it.each([
    ['0', 'MaxConcurrency'],
    ['0%', 'MaxConcurrency'],
    ['01', 'MaxConcurrency'],
    ['101%', 'MaxConcurrency'],
    ['05%', 'MaxConcurrency'],
    ['-1', 'MaxConcurrency'],
    ['1.5', 'MaxConcurrency'],
    ['', 'MaxConcurrency'],
    [' 10', 'MaxConcurrency'],
    ['10 %', 'MaxConcurrency'],
    ['ten', 'MaxConcurrency'],
    ['12345678', 'MaxConcurrency'], // longer than 7
    ['-1', 'MaxErrors'],
    ['00', 'MaxErrors'],
    ['01', 'MaxErrors'],
    ['101%', 'MaxErrors'],
    ['200%', 'MaxErrors'],
    ['%', 'MaxErrors'],
    ['', 'MaxErrors'],
    ['12345678', 'MaxErrors'],
  ] as const)('rejects %j as %s', (text, kind) => {
    expectValidation(() => parseRateLimit(text, 10, kind), kind === 'MaxConcurrency' ? "at 'maxConcurrency'" : "at 'maxErrors'");
  });

  it('validate keeps the text (the Command echoes it) and fills defaults', () => {
    expect(validateRateLimit('10%', 'MaxConcurrency')).toBe('10%');
    expect(validateRateLimit(undefined, 'MaxConcurrency')).toBe('50');
    expect(validateRateLimit(undefined, 'MaxErrors')).toBe('0');
    expect(resolveRateLimit('25%', 10, 'MaxErrors')).toBe(2);
  });

  it('rounds every percentage down, never above the exact share (exhaustive 0-100% × 0-300 targets)', () => {
    for (let p = 0; p <= 100; p++) {
      for (let n = 0; n <= 300; n++) {
        const errors = parseRateLimit(`${p}%`, n, 'MaxErrors');
        expect(errors * 100).toBeLessThanOrEqual(p * n);
        expect((errors + 1) * 100).toBeGreaterThan(p * n);
        if (p > 0) {
          const conc = parseRateLimit(`${p}%`, n, 'MaxConcurrency');
          expect(conc).toBe(Math.max(1, errors));
        }
      }
    }
  });
});

// ---- ramp ------------------------------------------------------------------------------------

describe('ramp-up', () => {
  /** Runs a whole fleet where every in-flight invocation finishes before the next decision. */
  function waves(n: number, cap: number): number[] {
    let s = state(fleet(n), cap, 0);
    const sizes: number[] = [];
    for (;;) {
      const { actions, next } = step(s);
      if (actions.start.length === 0) break;
      sizes.push(actions.start.length);
      s = next;
      for (const id of actions.start) s = report(s, id, 'Success');
    }
    return sizes;
  }

  it.each([
    [1, 50, [1]],
    [2, 50, [1, 1]],
    [7, 50, [1, 2, 4]],
    [20, 50, [1, 2, 4, 8, 5]],
    [100, 50, [1, 2, 4, 8, 16, 32, 37]],
    [100, 10, [1, 2, 4, 8, 10, 10, 10, 10, 10, 10, 10, 10, 5]],
    [10, 1, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]],
    [10, 3, [1, 2, 3, 3, 1]],
  ])('%i targets, cap %i: waves %j', (n, cap, expected) => {
    expect(waves(n, cap)).toEqual(expected);
    expect(expected.reduce((a, b) => a + b, 0)).toBe(n);
  });

  it('starts nothing else while the first invocation runs', () => {
    let s = state(fleet(10), 50);
    const first = step(s);
    expect(first.actions.start).toEqual(['i-0000']);
    s = first.next;
    expect(nextActions(s, 1).start).toEqual([]);
  });

  it('a straggler does not hold back the rest: each completion opens its slot plus one', () => {
    let s = state(fleet(20), 50);
    s = step(s).next; // i-0000
    s = report(s, 'i-0000', 'Success');
    s = step(s).next; // i-0001, i-0002
    s = report(s, 'i-0001', 'Success'); // i-0002 is slow
    const { actions } = step(s);
    // window 1 + 2 finished = 3, one in flight → 2 more
    expect(actions.start).toEqual(['i-0003', 'i-0004']);
  });

  it('failures grow the ramp too when MaxErrors allows them', () => {
    let s = state(fleet(10), 50, 5);
    s = step(s).next;
    s = report(s, 'i-0000', 'Failed');
    expect(nextActions(s, 0).start).toEqual(['i-0001', 'i-0002']);
  });

  it('invocations that ended without being started do not grow the window', () => {
    const s = state([finished('a', 'Delivery Timed Out', false), finished('b', CANCELLED_DETAIL, false), queued('c'), queued('d')], 50);
    expect(concurrencyWindow(s)).toBe(1);
    expect(nextActions(s, 0).start).toEqual(['c']);
  });

  it('Delayed invocations hold their slot', () => {
    const s = state([{ id: 'a', status: 'Delayed', statusDetails: 'Delayed', startedAt: 0 }, queued('b')], 50);
    expect(nextActions(s, 0).start).toEqual([]);
  });

  it('never exceeds MaxConcurrency even when the ramp would allow more', () => {
    const done = Array.from({ length: 30 }, (_, i) => finished(`d${i}`, 'Success'));
    const s = state([...done, running('r1'), running('r2'), ...fleet(10)], 4);
    expect(concurrencyWindow(s)).toBe(4);
    expect(nextActions(s, 0).start).toEqual(['i-0000', 'i-0001']);
  });
});

// ---- MaxErrors -------------------------------------------------------------------------------

describe('error threshold', () => {
  it('MaxErrors 0: the first failure terminates everything never started', () => {
    let s = state(fleet(10), 50, 0);
    s = step(s).next;
    s = report(s, 'i-0000', 'Success');
    s = step(s).next; // 0001, 0002 in flight
    s = report(s, 'i-0001', 'Failed');
    const { actions, next } = step(s);
    expect(actions.start).toEqual([]);
    expect(actions.terminate).toEqual(['i-0003', 'i-0004', 'i-0005', 'i-0006', 'i-0007', 'i-0008', 'i-0009']);
    expect(inFlightIds(next)).toEqual(['i-0002']); // runs on
    // the straggler may still fail: the documented overshoot, 2 errors with MaxErrors 0
    const end = report(next, 'i-0002', 'Failed');
    expect(nextActions(end, 0)).toEqual({ start: [], terminate: [], deliveryTimedOut: [], cancelPending: [], cancelRunning: [] });
    expect(summarize(end.invocations, { maxErrors: 0 })).toEqual({
      Status: 'Failed', StatusDetails: 'Failed', TargetCount: 10, CompletedCount: 10, ErrorCount: 2, DeliveryTimedOutCount: 0,
    });
  });

  it('Execution Timed Out counts as an error', () => {
    const s = state([finished('a', 'Execution Timed Out'), queued('b')], 50, 0);
    expect(nextActions(s, 0).terminate).toEqual(['b']);
  });

  it.each(['Delivery Timed Out', 'Undeliverable', CANCELLED_DETAIL, 'Invalid Platform', 'Access Denied'] as const)(
    '%s does not count as an error',
    (details) => {
      const s = state([finished('a', details), queued('b')], 50, 0);
      const actions = nextActions(s, 0);
      expect(actions.terminate).toEqual([]);
      expect(actions.start).toEqual(['b']);
    },
  );

  it.each([
    // MaxErrors text, targets, errors tolerated before the rollout stops
    ['3', 20, 3],
    ['10%', 50, 5],
    ['10%', 20, 2],
    ['25%', 10, 2],
    ['50%', 3, 1],
    ['100%', 5, 5],
  ])('MaxErrors %s of %i: %i errors tolerated, one more stops it', (text, n, tolerated) => {
    const maxErrors = parseRateLimit(text, n, 'MaxErrors');
    // MaxConcurrency 1 so errors arrive one at a time and nothing overshoots
    let s = state(fleet(n), 1, maxErrors);
    let errors = 0;
    let stoppedAfter = -1;
    for (let guard = 0; guard < 1000; guard++) {
      const { actions, next } = step(s);
      s = next;
      if (actions.terminate.length > 0) {
        stoppedAfter = errors;
        break;
      }
      if (actions.start.length === 0) break;
      for (const id of actions.start) {
        s = report(s, id, 'Failed');
        errors++;
      }
    }
    if (tolerated >= n) {
      // a threshold as large as the fleet is never crossed: everything runs
      expect(stoppedAfter).toBe(-1);
      expect(errors).toBe(n);
    } else {
      expect(stoppedAfter).toBe(tolerated + 1);
      const sum = summarize(s.invocations, { maxErrors });
      expect(sum.ErrorCount).toBe(tolerated + 1);
      expect(sum.CompletedCount).toBe(n);
      expect(s.invocations.filter((i) => i.statusDetails === 'Terminated')).toHaveLength(n - tolerated - 1);
    }
  });

  it('reaching MaxErrors exactly does not stop the rollout', () => {
    const s = state([finished('a', 'Failed'), finished('b', 'Failed'), queued('c')], 50, 2);
    expect(nextActions(s, 0).start).toEqual(['c']);
  });

  it('overshoot with wide concurrency: every in-flight invocation may fail after the threshold', () => {
    let s = state(fleet(40), 20, 1);
    const started: string[] = [];
    for (let i = 0; i < 10; i++) {
      const { actions, next } = step(s);
      s = next;
      started.push(...actions.start);
      if (inFlightIds(s).length >= 15) break;
      for (const id of actions.start.slice(0, 1)) s = report(s, id, 'Success');
    }
    const flying = inFlightIds(s);
    expect(flying.length).toBeGreaterThan(2);
    for (const id of flying) s = report(s, id, 'Failed');
    const { actions, next } = step(s);
    expect(actions.start).toEqual([]);
    const sum = summarize(next.invocations, { maxErrors: 1 });
    expect(sum.ErrorCount).toBe(flying.length);
    expect(sum.ErrorCount).toBeGreaterThan(1);
    expect(sum.Status).toBe('Failed');
    expect(sum.CompletedCount).toBe(40);
  });
});

// ---- delivery timeouts -----------------------------------------------------------------------

describe('delivery deadline', () => {
  it.each([
    ['Pending', queued('a', 100)],
    ['In Progress', running('a', 0, 100)],
    ['Delayed', { id: 'a', status: 'Delayed', statusDetails: 'Delayed', startedAt: 0, deliveryDeadline: 100 } as InvocationView],
    ['Cancelling', { id: 'a', status: 'Cancelling', statusDetails: 'In Progress', startedAt: 0, deliveryDeadline: 100 } as InvocationView],
  ])('%s past its deadline → Delivery Timed Out', (_label, inv) => {
    expect(nextActions(state([inv]), 99).deliveryTimedOut).toEqual([]);
    expect(nextActions(state([inv]), 100).deliveryTimedOut).toEqual(['a']);
    const after = applyActions(state([inv]), nextActions(state([inv]), 100), 100);
    expect(after.invocations[0]).toMatchObject({ status: 'TimedOut', statusDetails: 'Delivery Timed Out' });
  });

  it('terminal invocations never time out', () => {
    const s = state([{ ...finished('a', 'Success'), deliveryDeadline: 1 }]);
    expect(nextActions(s, 1000).deliveryTimedOut).toEqual([]);
  });

  it('a timeout frees its slot in the same decision and does not trip MaxErrors', () => {
    let s = state(fleet(5), 50, 0);
    s = step(s, 0, 1000).next; // i-0000 deadline 1000
    expect(s.invocations[0]!.deliveryDeadline).toBe(1000);
    const { actions } = step(s, 1000, 1000);
    expect(actions.deliveryTimedOut).toEqual(['i-0000']);
    expect(actions.terminate).toEqual([]);
    expect(actions.start).toEqual(['i-0001', 'i-0002']); // timed out after start: grows the ramp
  });

  it('one node offline, MaxErrors 0: command ends TimedOut / Delivery Timed Out', () => {
    const invs = [finished('a', 'Success'), finished('b', 'Delivery Timed Out')];
    expect(summarize(invs, { maxErrors: 0 })).toEqual({
      Status: 'TimedOut', StatusDetails: 'Delivery Timed Out', TargetCount: 2, CompletedCount: 2, ErrorCount: 0, DeliveryTimedOutCount: 1,
    });
  });

  it('delivery timeouts within MaxErrors: Success / Incomplete', () => {
    const invs = [finished('a', 'Success'), finished('b', 'Delivery Timed Out')];
    expect(summarize(invs, { maxErrors: 1 })).toMatchObject({ Status: 'Success', StatusDetails: 'Incomplete', DeliveryTimedOutCount: 1 });
  });

  it('applyActions keeps an earlier deadline set at send time', () => {
    const s = state([queued('a', 500)]);
    const next = applyActions(s, nextActions(s, 0), 0, 1000);
    expect(next.invocations[0]!.deliveryDeadline).toBe(500);
  });
});

// ---- cancellation ----------------------------------------------------------------------------

describe('cancellation', () => {
  it('queued → Cancelled at once, running → Cancelling, then Cancelled when agents answer', () => {
    let s = state(fleet(6), 50, 0);
    s = step(s).next;
    s = report(s, 'i-0000', 'Success');
    s = step(s).next; // 0001, 0002 running
    s = { ...s, cancelRequested: true };
    const { actions, next } = step(s);
    expect(actions.start).toEqual([]);
    expect(actions.cancelPending).toEqual(['i-0003', 'i-0004', 'i-0005']);
    expect(actions.cancelRunning).toEqual(['i-0001', 'i-0002']);
    s = next;
    expect(s.invocations.find((i) => i.id === 'i-0001')).toMatchObject({ status: 'Cancelling', statusDetails: 'In Progress' });
    expect(summarize(s.invocations, { maxErrors: 0, cancelRequested: true })).toMatchObject({ Status: 'Cancelling', StatusDetails: 'Cancelling', CompletedCount: 4 });
    // no duplicate kill requests
    expect(nextActions(s, 0).cancelRunning).toEqual([]);
    s = report(s, 'i-0001', CANCELLED_DETAIL);
    s = report(s, 'i-0002', 'Success'); // finished before the kill landed
    expect(summarize(s.invocations, { maxErrors: 0, cancelRequested: true })).toEqual({
      Status: 'Cancelled', StatusDetails: CANCELLED_DETAIL, TargetCount: 6, CompletedCount: 6, ErrorCount: 0, DeliveryTimedOutCount: 0,
    });
  });

  it('a cancel after everything finished leaves the outcome alone', () => {
    const invs = [finished('a', 'Success'), finished('b', 'Success')];
    expect(summarize(invs, { maxErrors: 0, cancelRequested: true })).toMatchObject({ Status: 'Success', StatusDetails: 'Success' });
  });

  it('cancel wins over the error threshold for queued invocations', () => {
    const s = state([finished('a', 'Failed'), queued('b')], 50, 0, true);
    const actions = nextActions(s, 0);
    expect(actions.cancelPending).toEqual(['b']);
    expect(actions.terminate).toEqual([]);
  });
});

// ---- summary ---------------------------------------------------------------------------------

describe('summarize', () => {
  const S = (d: InvocationStatusDetails, started = true) => finished(Math.random().toString(36), d, started);
  it.each([
    ['all Success', [S('Success'), S('Success')], 0, 'Success', 'Success', 2, 0, 0],
    ['nothing sent yet', [queued('a'), queued('b')], 0, 'Pending', 'Pending', 0, 0, 0],
    ['some running', [S('Success'), running('b'), queued('c')], 0, 'InProgress', 'In Progress', 1, 0, 0],
    ['Delayed keeps it in progress', [{ id: 'd', status: 'Delayed', statusDetails: 'Delayed', startedAt: 0 } as InvocationView], 0, 'InProgress', 'In Progress', 0, 0, 0],
    ['one Failed, MaxErrors 0', [S('Success'), S('Failed')], 0, 'Failed', 'Failed', 2, 1, 0],
    ['one Failed within MaxErrors 1', [S('Success'), S('Failed')], 1, 'Success', 'Incomplete', 2, 1, 0],
    ['Failed + Terminated', [S('Failed'), S('Terminated', false), S('Terminated', false)], 0, 'Failed', 'Failed', 3, 1, 0],
    ['Execution Timed Out only', [S('Execution Timed Out'), S('Success')], 0, 'TimedOut', 'Execution Timed Out', 2, 1, 0],
    ['mixed errors over the limit', [S('Execution Timed Out'), S('Failed')], 1, 'Failed', 'Failed', 2, 2, 0],
    ['failures dominate', [S('Execution Timed Out'), S('Failed'), S('Failed')], 1, 'Failed', 'Failed', 3, 3, 0],
    ['errors beat delivery timeouts', [S('Failed'), S('Delivery Timed Out')], 0, 'Failed', 'Failed', 2, 1, 1],
    ['Undeliverable ignored for Success', [S('Success'), S('Undeliverable', false)], 0, 'Success', 'Success', 2, 0, 0],
    ['all Undeliverable', [S('Undeliverable', false)], 0, 'Failed', 'Undeliverable', 1, 0, 0],
    ['Access Denied is Incomplete', [S('Success'), S('Access Denied', false)], 0, 'Success', 'Incomplete', 2, 0, 0],
    ['Invalid Platform is Incomplete', [S('Invalid Platform', false)], 0, 'Success', 'Incomplete', 1, 0, 0],
  ] as const)('%s → %s / %s', (_label, invs, maxErrors, status, details, completed, errors, dto) => {
    expect(summarize(invs as unknown as InvocationView[], { maxErrors })).toEqual({
      Status: status, StatusDetails: details, TargetCount: invs.length, CompletedCount: completed, ErrorCount: errors, DeliveryTimedOutCount: dto,
    });
  });

  it('no targets', () => {
    expect(summarize([], { maxErrors: 0 })).toMatchObject({ Status: 'Success', StatusDetails: 'Success', TargetCount: 0 });
    expect(summarize([], { maxErrors: 0, targetedByTag: true })).toMatchObject({ Status: 'Success', StatusDetails: 'No Instances In Tag' });
  });
});

// ---- properties ------------------------------------------------------------------------------

describe('property: random runs', () => {
  // What the random runs actually exercised, checked at the end so the property cannot go vacuous.
  const seen = { exceeded: 0, terminated: 0, overshoot: 0, deliveryTimedOut: 0, cancelled: 0, capReached: 0 };
  const outcomes: InvocationStatusDetails[] = ['Success', 'Success', 'Success', 'Failed', 'Execution Timed Out', 'Undeliverable', CANCELLED_DETAIL];

  for (let seed = 1; seed <= 300; seed++) {
    it(`seed ${seed}`, () => {
      const r = rng(seed);
      const n = 1 + Math.floor(r() * 60);
      const concText = r() < 0.5 ? `${1 + Math.floor(r() * 12)}` : `${1 + Math.floor(r() * 100)}%`;
      const errText = r() < 0.5 ? `${Math.floor(r() * 4)}` : `${Math.floor(r() * 40)}%`;
      const maxConcurrency = parseRateLimit(concText, n, 'MaxConcurrency');
      const maxErrors = parseRateLimit(errText, n, 'MaxErrors');
      const timeoutMs = r() < 0.3 ? 5 + Math.floor(r() * 20) : undefined;
      const cancelAt = r() < 0.15 ? Math.floor(r() * 40) : undefined;
      let s = state(fleet(n), maxConcurrency, maxErrors);
      let exceededAt: number | undefined;
      const startedEver = new Set<string>();

      for (let now = 0; now < 5000; now++) {
        if (cancelAt !== undefined && now === cancelAt) s = { ...s, cancelRequested: true };
        const { actions, next } = step(s, now, timeoutMs);
        // no invocation started once the threshold was exceeded or a cancel was asked for
        if (exceededAt !== undefined || s.cancelRequested) expect(actions.start).toEqual([]);
        for (const id of actions.start) {
          expect(startedEver.has(id)).toBe(false); // each starts at most once
          startedEver.add(id);
        }
        // every id appears in at most one action list
        const all = [...actions.start, ...actions.terminate, ...actions.deliveryTimedOut, ...actions.cancelPending, ...actions.cancelRunning];
        expect(new Set(all).size).toBe(all.length);
        s = next;
        // in-flight never above the cap
        expect(inFlightIds(s).length).toBeLessThanOrEqual(maxConcurrency);
        if (maxConcurrency > 1 && inFlightIds(s).length === maxConcurrency) seen.capReached++;
        if (exceededAt === undefined && summarize(s.invocations, { maxErrors }).ErrorCount > maxErrors) exceededAt = now;

        // the agents: each in-flight invocation finishes with some probability this tick
        for (const inv of s.invocations) {
          if (!isInFlight(inv) || r() < 0.5) continue;
          if (inv.status === 'Cancelling') s = report(s, inv.id, r() < 0.8 ? CANCELLED_DETAIL : 'Success');
          else if (timeoutMs !== undefined && r() < 0.2) continue; // silent node: left to its deadline
          else s = report(s, inv.id, outcomes[Math.floor(r() * outcomes.length)]!);
        }
        if (s.invocations.every((i) => isTerminalDetail(i.statusDetails))) break;
      }

      // every invocation ends in exactly one terminal state
      for (const inv of s.invocations) {
        expect(isTerminalDetail(inv.statusDetails)).toBe(true);
        expect(inv.status).toBe(invocationStatusFor(inv.statusDetails));
      }
      // Terminated only for never-started, only after the threshold; Pending-cancelled only when never started
      for (const inv of s.invocations) {
        if (inv.statusDetails === 'Terminated') {
          expect(inv.startedAt).toBeUndefined();
          expect(exceededAt).toBeDefined();
        }
      }
      const sum = summarize(s.invocations, { maxErrors, cancelRequested: s.cancelRequested });
      const count = (d: InvocationStatusDetails) => s.invocations.filter((i) => i.statusDetails === d).length;
      expect(sum.TargetCount).toBe(n);
      expect(sum.CompletedCount).toBe(n);
      expect(sum.ErrorCount).toBe(count('Failed') + count('Execution Timed Out'));
      expect(sum.DeliveryTimedOutCount).toBe(count('Delivery Timed Out'));
      const byDetail = INVOCATION_STATUS_DETAILS.reduce((acc, d) => acc + count(d), 0);
      expect(byDetail).toBe(n);
      expect(['Success', 'Failed', 'TimedOut', 'Cancelled']).toContain(sum.Status);
      if (exceededAt === undefined && !s.cancelRequested) expect(count('Terminated')).toBe(0);
      if (exceededAt !== undefined && !s.cancelRequested) expect(sum.Status).not.toBe('Success');
      if (exceededAt !== undefined) seen.exceeded++;
      if (count('Terminated') > 0) seen.terminated++;
      if (sum.ErrorCount > maxErrors + 1) seen.overshoot++;
      if (sum.DeliveryTimedOutCount > 0) seen.deliveryTimedOut++;
      if (sum.Status === 'Cancelled') seen.cancelled++;
    });
  }

  it('the random runs covered every interesting path', () => {
    for (const [path, times] of Object.entries(seen)) expect(times, path).toBeGreaterThan(0);
  });
});
