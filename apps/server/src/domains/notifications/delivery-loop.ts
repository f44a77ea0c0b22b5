import type { Logger } from 'pino';
import type { DeliveriesStore, ClaimedDelivery } from './deliveries.store.js';
import { DEFAULT_RETRY_POLICY, parseDeliveryPolicy, retryDelaySeconds, type RetryPolicy } from './delivery-policy.js';
import type { Protocol } from './endpoints.js';
import { DeliveryError, type Transport } from './transports/transport.js';

export interface DeliveryLoopOptions {
  store: DeliveriesStore;
  transports: Record<Protocol, Transport>;
  logger: Logger;
  now: () => number;
  /** How often to look for due deliveries when nothing woke the loop (default 1 s). */
  pollIntervalMs?: number;
  /** Attempts in flight at once on this replica (default 32). */
  concurrency?: number;
  /** Attempts in flight at once for one subscription on this replica (default 4). */
  perSubscription?: number;
}

/** Why an attempt failed when the cause is ours, not the receiver's; the details go to the log only. */
const INTERNAL_FAILURE = 'internal error while sending (see the server log)';

/**
 * Sends due deliveries. Every replica runs one: deliveries are claimed with
 * a lease (see DeliveriesStore.claimDue), attempted concurrently, and their
 * outcome recorded with the next attempt's time, so retries survive a
 * restart. Attempts run independently, with a timeout, and at most a few per
 * subscription, so a slow or failing subscriber cannot hold up the others.
 */
export class DeliveryLoop {
  private readonly pollIntervalMs: number;
  private readonly concurrency: number;
  private readonly perSubscription: number;
  private readonly inFlight = new Map<number, { subscriptionArn: string; controller: AbortController; done: Promise<void> }>();
  private stopped = true;
  private claiming: Promise<void> = Promise.resolve();
  private claimBusy = false;
  private claimAgain = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private retryTimer: { at: number; timer: NodeJS.Timeout } | undefined;

  constructor(private readonly options: DeliveryLoopOptions) {
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.concurrency = options.concurrency ?? 32;
    this.perSubscription = options.perSubscription ?? 4;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.wake();
  }

  /** Looks for due deliveries now (new ones were fanned out, or a slot came free). */
  wake(): void {
    if (this.stopped) return;
    if (this.claimBusy) {
      this.claimAgain = true;
      return;
    }
    clearTimeout(this.pollTimer);
    this.claimBusy = true;
    this.claiming = this.claim()
      .catch((err) => this.options.logger.error({ err }, 'could not claim notification deliveries; retrying at the next poll'))
      .finally(() => {
        this.claimBusy = false;
        if (this.stopped) return;
        if (this.claimAgain) {
          this.claimAgain = false;
          this.wake();
        } else {
          this.pollTimer = setTimeout(() => this.wake(), this.pollIntervalMs);
          this.pollTimer.unref();
        }
      });
  }

  /**
   * Stops claiming, aborts attempts in flight and hands their deliveries
   * back (not counted as attempts), so the next replica to look sends them
   * at once instead of after the lease expires.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.pollTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer.timer);
    this.retryTimer = undefined;
    await this.claiming;
    for (const attempt of this.inFlight.values()) attempt.controller.abort(new Error('the server is stopping'));
    await Promise.all([...this.inFlight.values()].map((a) => a.done));
  }

  private async claim(): Promise<void> {
    const free = this.concurrency - this.inFlight.size;
    if (free <= 0) return;
    const perSubscription = new Map<string, number>();
    for (const a of this.inFlight.values()) perSubscription.set(a.subscriptionArn, (perSubscription.get(a.subscriptionArn) ?? 0) + 1);
    const busy = [...perSubscription].filter(([, n]) => n >= this.perSubscription).map(([arn]) => arn);
    let claimed = await this.options.store.claimDue(this.options.now(), free, busy);
    if (this.stopped) {
      await Promise.all(claimed.map((c) => this.options.store.release(c)));
      return;
    }
    // A burst for one subscription may exceed its share in one claim; hand the excess back for later.
    const excess: ClaimedDelivery[] = [];
    claimed = claimed.filter((c) => {
      const n = perSubscription.get(c.subscriptionArn) ?? 0;
      if (n >= this.perSubscription) {
        excess.push(c);
        return false;
      }
      perSubscription.set(c.subscriptionArn, n + 1);
      return true;
    });
    for (const c of claimed) this.begin(c);
    await Promise.all(excess.map((c) => this.options.store.release(c)));
  }

  private begin(claimed: ClaimedDelivery): void {
    const controller = new AbortController();
    const done = this.attempt(claimed, controller.signal)
      .catch((err) => this.options.logger.error({ err, deliveryId: claimed.id }, 'could not record a notification delivery attempt; it is retried when its lease expires'))
      .finally(() => {
        this.inFlight.delete(claimed.id);
        this.wake();
      });
    this.inFlight.set(claimed.id, { subscriptionArn: claimed.subscriptionArn, controller, done });
  }

  private async attempt(claimed: ClaimedDelivery, signal: AbortSignal): Promise<void> {
    const { store, logger } = this.options;
    const log = { deliveryId: claimed.id, messageId: claimed.messageId, subscriptionArn: claimed.subscriptionArn, attempt: claimed.attempts + 1 };
    let policy: RetryPolicy = DEFAULT_RETRY_POLICY;
    try {
      const work = await store.work(claimed);
      if (!work) {
        await store.recordFailed(claimed, 'The subscription no longer exists', null, this.options.now(), false);
        return;
      }
      policy = retryPolicyOf(work.deliveryPolicy);
      await this.options.transports[work.protocol].send({ ...work.notification, attempt: claimed.attempts + 1 }, work.target, signal);
      await store.recordDelivered(claimed, this.options.now());
      logger.debug(log, 'notification delivered');
    } catch (err) {
      if (signal.aborted) {
        await store.release(claimed);
        return;
      }
      const retryable = err instanceof DeliveryError ? err.retryable : true;
      const reason = err instanceof DeliveryError ? err.message : INTERNAL_FAILURE;
      if (!(err instanceof DeliveryError)) logger.error({ ...log, err }, 'notification delivery failed inside the server');
      const now = this.options.now();
      const retry = claimed.attempts + 1;
      const nextAttemptAt = retryable && retry <= policy.numRetries ? now + jittered(retryDelaySeconds(policy, retry) * 1000) : null;
      await store.recordFailed(claimed, reason, nextAttemptAt, now);
      logger.info({ ...log, reason, nextAttemptAt }, nextAttemptAt === null ? 'notification delivery failed for good' : 'notification delivery failed; will retry');
      if (nextAttemptAt !== null) this.wakeAt(nextAttemptAt);
    }
  }

  /** Wakes the loop when the earliest retry it knows of falls due, rather than up to a poll interval later. */
  private wakeAt(at: number): void {
    if (this.stopped || (this.retryTimer && this.retryTimer.at <= at)) return;
    if (this.retryTimer) clearTimeout(this.retryTimer.timer);
    const timer = setTimeout(
      () => {
        this.retryTimer = undefined;
        this.wake();
      },
      Math.max(0, at - this.options.now()),
    );
    timer.unref();
    this.retryTimer = { at, timer };
  }
}

function retryPolicyOf(deliveryPolicy: string | undefined): RetryPolicy {
  if (deliveryPolicy === undefined) return DEFAULT_RETRY_POLICY;
  try {
    return parseDeliveryPolicy(deliveryPolicy);
  } catch {
    // Checked at Subscribe; should the rules tighten later, an old policy falls back to the default rather than stopping delivery.
    return DEFAULT_RETRY_POLICY;
  }
}

/** Up to 10% later, so deliveries that failed together (a receiver was down) do not all come back at the same instant. */
function jittered(ms: number): number {
  return Math.round(ms * (1 + Math.random() * 0.1));
}
