/**
 * Rate control for Run Command, as pure functions: the engine feeds in what it knows (settings and
 * every invocation's state) and applies what comes back. No clock, store or socket in here, so the
 * rules can be tested exhaustively and replayed after a server restart from persisted state alone.
 *
 * Sources: SDK doc comments of SendCommandRequest / Command / CommandInvocation in
 * @aws-sdk/client-ssm; user guide pages "Understanding command statuses" (monitor-commands),
 * "Run commands at scale" (send-commands-multiple) and "Control automations at scale"
 * (running-automations-scale-controls, which describes the 1, 2, 4 … ramp); /work/shared/SSM-FACTS.md.
 */
import { validationError } from '../../rpc/errors.js';
import {
  CANCELLED_DETAIL,
  type CommandStatus,
  type CommandStatusDetails,
  type InvocationStatus,
  type InvocationStatusDetails,
  invocationStatusFor,
  isErrorDetail,
  isTerminalDetail,
} from './command-status.js';

// ---------------------------------------------------------------------------------------------
// MaxConcurrency / MaxErrors

export type RateLimitKind = 'MaxConcurrency' | 'MaxErrors';

export const DEFAULT_MAX_CONCURRENCY = '50';
export const DEFAULT_MAX_ERRORS = '0';

/**
 * The API patterns (length 1-7). MaxConcurrency: a positive integer, or 1%-100%.
 * MaxErrors: 0 or a positive integer, or 0%-100%. The brief quoted `^([1-9]*[0-9]|[1-9]*[0-9]%)$`
 * for MaxErrors; taken literally that rejects "100" and "100%" while accepting "99%" and "999%"
 * (three digits only if none is 0), which the documentation's "a number like 10 or a percentage like 10%"
 * does not support, so we use the SendCommand API-reference shape instead.
 */
const PATTERNS: Record<RateLimitKind, RegExp> = {
  MaxConcurrency: /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/,
  MaxErrors: /^([1-9][0-9]*|0|[1-9][0-9]%|[0-9]%|100%)$/,
};

/**
 * Checks a MaxConcurrency / MaxErrors text as SendCommand does, before targets are resolved, and
 * returns it with the default filled in (the stored Command echoes the text, not the number).
 */
export function validateRateLimit(text: string | undefined, kind: RateLimitKind): string {
  if (text === undefined) return kind === 'MaxConcurrency' ? DEFAULT_MAX_CONCURRENCY : DEFAULT_MAX_ERRORS;
  const pattern = PATTERNS[kind];
  const member = kind === 'MaxConcurrency' ? 'maxConcurrency' : 'maxErrors';
  if (text.length < 1 || text.length > 7 || !pattern.test(text)) {
    // Same wording as AWS's generated constraint messages, so scripts matching on it keep working.
    throw validationError(
      `1 validation error detected: Value '${text}' at '${member}' failed to satisfy constraint: ` +
        `Member must satisfy regular expression pattern: ${pattern.source}`,
    );
  }
  return text;
}

/**
 * Turns a (valid) limit into a count for `targetCount` targets.
 *
 * Rounding (not documented by AWS; our choice, stated so operators can predict it): a percentage
 * is rounded DOWN, because both limits are ceilings the operator does not want crossed: "10%
 * concurrency" should never put more than 10% of the fleet at risk at once, and "10% errors" should
 * never tolerate more than 10% failures. The one documented data point agrees: 10% of 50 allows 5
 * errors and stops on the sixth (MaxErrors doc, State Manager / Automation rate-control pages).
 * MaxConcurrency is then raised to at least 1, otherwise a small fleet would never start.
 * A plain number is taken as is; a MaxConcurrency above the target count just means "all at once".
 */
export function resolveRateLimit(text: string, targetCount: number, kind: RateLimitKind): number {
  let value: number;
  if (text.endsWith('%')) {
    const percent = Number(text.slice(0, -1));
    // percent * targetCount is an exact integer, so the division is exact for multiples of 100 and
    // at least 0.01 away from an integer otherwise: floor is safe from floating-point drift.
    value = Math.floor((percent * targetCount) / 100);
  } else {
    value = Number(text);
  }
  return kind === 'MaxConcurrency' ? Math.max(1, value) : value;
}

/** validate + resolve in one go: `undefined` means the SSM default (50 / 0). */
export function parseRateLimit(text: string | undefined, targetCount: number, kind: RateLimitKind): number {
  return resolveRateLimit(validateRateLimit(text, kind), targetCount, kind);
}

// ---------------------------------------------------------------------------------------------
// Progress

/** What the engine knows about one invocation. */
export interface InvocationView {
  readonly id: string;
  /** 'Cancelling' while a cancel is on its way to the agent; otherwise invocationStatusFor(statusDetails). */
  readonly status: InvocationStatus;
  readonly statusDetails: InvocationStatusDetails;
  /**
   * When rate control let this invocation go (ms since epoch). Set once, never cleared: a finished
   * invocation that had been started is what grows the ramp; one that ended without starting
   * (Terminated, cancelled while queued) is not.
   */
  readonly startedAt?: number;
  /** Past this instant (ms since epoch) a non-terminal invocation is Delivery Timed Out. */
  readonly deliveryDeadline?: number;
}

export interface CommandProgressState {
  /** Resolved numbers (resolveRateLimit), not the texts. */
  readonly maxConcurrency: number;
  readonly maxErrors: number;
  readonly cancelRequested?: boolean;
  /** In the order invocations should start (the engine decides the order, e.g. by instance id). */
  readonly invocations: readonly InvocationView[];
}

export interface ProgressActions {
  /** Pending invocations to send now. */
  readonly start: string[];
  /** Never-started invocations ended because the error threshold was crossed. */
  readonly terminate: string[];
  /** Invocations whose delivery deadline has passed: Delivery Timed Out. */
  readonly deliveryTimedOut: string[];
  /** Never-started invocations ended by CancelCommand (straight to Cancelled: nothing to kill). */
  readonly cancelPending: string[];
  /** Started invocations that must be told to stop (become Cancelling until the agent answers). */
  readonly cancelRunning: string[];
}

/** In flight = holding a concurrency slot: sent (or being retried) and not yet finished. */
export function isInFlight(inv: InvocationView): boolean {
  return inv.startedAt !== undefined && !isTerminalDetail(inv.statusDetails);
}

function isQueued(inv: InvocationView): boolean {
  return inv.startedAt === undefined && inv.statusDetails === 'Pending';
}

/**
 * The ramp. The user guide describes it as: send to one target, wait for it to complete, then to
 * two more, and keep growing exponentially until MaxConcurrency. We read that as slow start:
 * the in-flight allowance is 1 + (number of started invocations that have finished), capped at
 * MaxConcurrency. With equal run times that gives waves of exactly 1, 2, 4, 8 …; unlike strict
 * waves, one slow node does not hold back the rest, since every completion opens its slot again
 * plus one more. Any finish counts (Success, Failed, timeouts, cancel): "complete", not "succeed";
 * errors are MaxErrors' business, not the ramp's.
 */
export function concurrencyWindow(state: Pick<CommandProgressState, 'maxConcurrency' | 'invocations'>): number {
  let finishedAfterStart = 0;
  for (const inv of state.invocations) {
    if (inv.startedAt !== undefined && isTerminalDetail(inv.statusDetails)) finishedAfterStart++;
  }
  return Math.max(1, Math.min(state.maxConcurrency, 1 + finishedAfterStart));
}

export function errorCount(invocations: readonly InvocationView[]): number {
  return invocations.filter((inv) => isErrorDetail(inv.statusDetails)).length;
}

/** MaxErrors is exceeded, not reached: "fails one more time beyond the value of MaxErrors" (SendCommandRequest.MaxErrors doc). */
export function errorThresholdExceeded(state: Pick<CommandProgressState, 'maxErrors' | 'invocations'>): boolean {
  return errorCount(state.invocations) > state.maxErrors;
}

/**
 * What to do now. Order matters and is applied within one call:
 *  1. deadlines: every non-terminal invocation past its delivery deadline is Delivery Timed Out
 *     (these free slots and, if started, grow the ramp; they never count as errors);
 *  2. cancel requested: queued ones end Cancelled, started ones are told to stop;
 *  3. errors > MaxErrors: every queued one ends Terminated; started ones run on (the documented
 *     overshoot: more errors than MaxErrors can result; MaxConcurrency 1 avoids it);
 *  4. otherwise start queued ones, in order, up to the ramp window minus what is in flight.
 */
export function nextActions(state: CommandProgressState, now: number): ProgressActions {
  const actions: ProgressActions = { start: [], terminate: [], deliveryTimedOut: [], cancelPending: [], cancelRunning: [] };

  // Work on a projected copy so later steps see the effect of earlier ones.
  const projected: InvocationView[] = state.invocations.map((inv) => {
    if (!isTerminalDetail(inv.statusDetails) && inv.deliveryDeadline !== undefined && inv.deliveryDeadline <= now) {
      actions.deliveryTimedOut.push(inv.id);
      return { ...inv, status: 'TimedOut', statusDetails: 'Delivery Timed Out' };
    }
    return inv;
  });

  if (state.cancelRequested) {
    for (const inv of projected) {
      if (isQueued(inv)) actions.cancelPending.push(inv.id);
      // Already Cancelling: the request is out; asking again would only duplicate kill messages.
      else if (isInFlight(inv) && inv.status !== 'Cancelling') actions.cancelRunning.push(inv.id);
    }
    return actions;
  }

  if (errorThresholdExceeded({ maxErrors: state.maxErrors, invocations: projected })) {
    for (const inv of projected) if (isQueued(inv)) actions.terminate.push(inv.id);
    return actions;
  }

  const window = concurrencyWindow({ maxConcurrency: state.maxConcurrency, invocations: projected });
  let free = window - projected.filter(isInFlight).length;
  for (const inv of projected) {
    if (free <= 0) break;
    if (isQueued(inv)) {
      actions.start.push(inv.id);
      free--;
    }
  }
  return actions;
}

/**
 * Applies nextActions' answer to the views, as the engine would record it. Pure, so the engine can
 * persist the result and tests can drive whole runs. A started invocation becomes In Progress;
 * `deliveryTimeoutMs`, when given, sets its deadline from the moment it was sent (the engine passes
 * TimeoutSeconds + executionTimeout, SSM-FACTS), keeping any earlier deadline it already had.
 */
export function applyActions(
  state: CommandProgressState,
  actions: ProgressActions,
  now: number,
  deliveryTimeoutMs?: number,
): CommandProgressState {
  const started = new Set(actions.start);
  const terminated = new Set(actions.terminate);
  const timedOut = new Set(actions.deliveryTimedOut);
  const cancelledQueued = new Set(actions.cancelPending);
  const cancelling = new Set(actions.cancelRunning);
  const invocations = state.invocations.map((inv): InvocationView => {
    if (timedOut.has(inv.id)) return withDetails(inv, 'Delivery Timed Out');
    if (terminated.has(inv.id)) return withDetails(inv, 'Terminated');
    if (cancelledQueued.has(inv.id)) return withDetails(inv, CANCELLED_DETAIL);
    if (cancelling.has(inv.id)) return { ...inv, status: 'Cancelling' };
    if (started.has(inv.id)) {
      const fromNow = deliveryTimeoutMs === undefined ? undefined : now + deliveryTimeoutMs;
      const deadline =
        inv.deliveryDeadline === undefined ? fromNow : fromNow === undefined ? inv.deliveryDeadline : Math.min(inv.deliveryDeadline, fromNow);
      return { ...withDetails(inv, 'In Progress'), startedAt: now, deliveryDeadline: deadline };
    }
    return inv;
  });
  return { ...state, invocations };
}

/** A view with consistent Status for the given details (Cancelling is left only by a new detail). */
export function withDetails(inv: InvocationView, statusDetails: InvocationStatusDetails): InvocationView {
  return { ...inv, status: invocationStatusFor(statusDetails), statusDetails };
}

// ---------------------------------------------------------------------------------------------
// Summary

export interface CommandSummary {
  readonly Status: CommandStatus;
  readonly StatusDetails: CommandStatusDetails;
  readonly TargetCount: number;
  readonly CompletedCount: number;
  readonly ErrorCount: number;
  readonly DeliveryTimedOutCount: number;
}

export interface SummaryOptions {
  readonly maxErrors: number;
  readonly cancelRequested?: boolean;
  /** Targets were given as tags and matched nothing (command-level "No Instances In Tag"). */
  readonly targetedByTag?: boolean;
}

/**
 * The command's aggregate status and counters.
 *
 * Counters follow the Command doc comments: TargetCount = invocations; CompletedCount = terminal
 * ones (any kind); ErrorCount = Failed + Execution Timed Out; DeliveryTimedOutCount on its own.
 *
 * Status, in order of precedence (interpretation of the Command.StatusDetails doc list, which names
 * the details but not the Status each goes with):
 *  - no targets: Success, with "No Instances In Tag" when targets were tags;
 *  - cancel requested: Cancelling while anything is unfinished, then Cancelled; a cancel that
 *    arrives after everything finished changes nothing (no invocation was cancelled);
 *  - something unfinished: Pending while nothing has been sent, else InProgress;
 *  - errors > MaxErrors: Failed / "Failed", or TimedOut / "Execution Timed Out" when execution
 *    timeouts alone exceed MaxErrors and plain failures do not;
 *  - delivery timeouts > MaxErrors: TimedOut / "Delivery Timed Out" (they never stop the rollout,
 *    but the doc lists them as a command-level outcome decided by the same MaxErrors value);
 *  - anything not Success (Undeliverable excepted: "don't contribute to whether the parent command
 *    status is Success or Incomplete"): Success / "Incomplete", since not enough failed to be Failed;
 *  - otherwise Success / "Success". If every invocation was Undeliverable there is nothing to call
 *    a success: Failed / "Undeliverable".
 */
export function summarize(invocations: readonly InvocationView[], options: SummaryOptions): CommandSummary {
  let completed = 0;
  let failed = 0;
  let executionTimedOut = 0;
  let deliveryTimedOut = 0;
  let undeliverable = 0;
  let notSuccess = 0;
  let cancelled = 0;
  let sent = 0;
  for (const inv of invocations) {
    const d = inv.statusDetails;
    if (isTerminalDetail(d)) completed++;
    if (d === 'Failed') failed++;
    if (d === 'Execution Timed Out') executionTimedOut++;
    if (d === 'Delivery Timed Out') deliveryTimedOut++;
    if (d === 'Undeliverable') undeliverable++;
    if (d === CANCELLED_DETAIL) cancelled++;
    if (isTerminalDetail(d) && d !== 'Success' && d !== 'Undeliverable') notSuccess++;
    if (inv.startedAt !== undefined || d !== 'Pending') sent++;
  }
  const counters = {
    TargetCount: invocations.length,
    CompletedCount: completed,
    ErrorCount: failed + executionTimedOut,
    DeliveryTimedOutCount: deliveryTimedOut,
  };
  const result = (Status: CommandStatus, StatusDetails: CommandStatusDetails): CommandSummary => ({ Status, StatusDetails, ...counters });
  const unfinished = invocations.length - completed;

  if (invocations.length === 0) return result('Success', options.targetedByTag ? 'No Instances In Tag' : 'Success');
  if (options.cancelRequested && unfinished > 0) return result('Cancelling', 'Cancelling');
  if (options.cancelRequested && cancelled > 0) return result('Cancelled', CANCELLED_DETAIL);
  if (unfinished > 0) return sent === 0 ? result('Pending', 'Pending') : result('InProgress', 'In Progress');

  const errors = failed + executionTimedOut;
  if (errors > options.maxErrors) {
    if (executionTimedOut > options.maxErrors && failed <= options.maxErrors) return result('TimedOut', 'Execution Timed Out');
    return result('Failed', 'Failed');
  }
  if (deliveryTimedOut > options.maxErrors) return result('TimedOut', 'Delivery Timed Out');
  if (undeliverable === invocations.length) return result('Failed', 'Undeliverable');
  if (notSuccess > 0) return result('Success', 'Incomplete');
  return result('Success', 'Success');
}
