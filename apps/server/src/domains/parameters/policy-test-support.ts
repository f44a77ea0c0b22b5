import { afterAll, beforeAll } from 'vitest';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { startTestServer, type TestDialect, type TestServer, type TestServerOptions } from '../../testing/test-server.js';
import type { ParameterPolicyEvent } from './parameter-policy-handler.js';
import { waitFor, type TestReceiver } from '../notifications/notification-test-support.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/**
 * A server clock that tests move forward instead of sleeping. Requests are
 * signed at the server's time: the SDK client is told the offset before each
 * request (SigV4 refuses a clock more than 15 minutes off), and `atRealTime`
 * steps back for the few Tend.* calls, whose client always signs at real time.
 */
export class TestClock {
  offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  readonly server = () => new Date(this.now());

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** Runs `call` with the server's clock back at real time (for Tend.* calls), then returns to the moved time. */
  async atRealTime<T>(call: () => Promise<T>): Promise<T> {
    const offset = this.offsetMs;
    this.offsetMs = 0;
    try {
      return await call();
    } finally {
      this.offsetMs = offset;
    }
  }

  /** Makes an SDK client sign every request at this clock's time. */
  follow(ssm: SSMClient): SSMClient {
    ssm.middlewareStack.add(
      (next) => (args) => {
        // Read at signing time; the SDK's own skew correction would otherwise undo it after each answer.
        (ssm.config as { systemClockOffset?: number }).systemClockOffset = this.offsetMs;
        return next(args);
      },
      { step: 'build', name: 'followTestClock' },
    );
    return ssm;
  }
}

/** One server per suite with a movable clock; its SDK client follows the clock. */
export function useClockedServer(dialect: TestDialect, options: Omit<TestServerOptions, 'clock'> = {}): { clock: TestClock; server: () => TestServer } {
  const clock = new TestClock();
  let t: TestServer | undefined;
  beforeAll(async () => {
    t = await startClockedServer(dialect, clock, options);
  });
  afterAll(async () => t?.close());
  return {
    clock,
    server: () => {
      if (!t) throw new Error('test server not started');
      return t;
    },
  };
}

export async function startClockedServer(dialect: TestDialect, clock: TestClock, options: Omit<TestServerOptions, 'clock'> = {}): Promise<TestServer> {
  const t = await startTestServer(dialect, { ...options, clock: clock.server });
  clock.follow(t.ssm);
  return t;
}

/** PutParameter's Policies text for these policies. */
export function policiesText(...policies: object[]): string {
  return JSON.stringify(policies);
}

export const expiration = (at: number) => ({ Type: 'Expiration', Version: '1.0', Attributes: { Timestamp: new Date(at).toISOString() } });
export const expirationNotification = (before: number, unit: 'Days' | 'Hours') => ({
  Type: 'ExpirationNotification',
  Version: '1.0',
  Attributes: { Before: String(before), Unit: unit },
});
export const noChangeNotification = (after: number, unit: 'Days' | 'Hours') => ({
  Type: 'NoChangeNotification',
  Version: '1.0',
  Attributes: { After: String(after), Unit: unit },
});

/** The `parameter.policy` events written so far for one parameter, oldest first. */
export async function policyEventsFor(t: TestServer, name: string): Promise<ParameterPolicyEvent[]> {
  const rows = await t.server.services.db.selectFrom('outbox_events').select('payload').where('event_type', '=', 'parameter.policy').orderBy('id').execute();
  return rows.map((r) => JSON.parse(r.payload) as ParameterPolicyEvent).filter((e) => e.detail['parameter-name'] === name);
}

/**
 * Waits until `hook` has `count` requests and every delivery is recorded. A
 * test moves the clock only after this: a delivery still in flight when the
 * clock jumps by days would see its lease expire and go out a second time.
 */
export async function notificationsDelivered(t: TestServer, hook: TestReceiver, count: number): Promise<void> {
  const db = t.server.services.db;
  await waitFor(
    async () => {
      const open = await db.selectFrom('notification_deliveries').select('id').where('status', '!=', 'Delivered').execute();
      return hook.requests.length >= count && open.length === 0;
    },
    10_000,
    `${count} policy notifications`,
  );
}
