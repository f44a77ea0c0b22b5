import path from 'node:path';
import type { InvocationResultFrame } from '@tend/protocol';
import type { InvocationRecord } from '../../invocations/invocation-store.js';
import type { Logger } from '../../logger.js';
import { claimOutcome, readHandoff, readOutcome, updateResult, type Handoff } from './handoff.js';

/**
 * The new agent's side of an update: it is on trial until the server
 * welcomes it. Wired into the agent by agent.ts: `resume` goes to the
 * invocation runner (the update invocation is the runner's to report, but
 * not as "agent restarted"), `confirm` runs when the connection comes online.
 */
export interface UpdateTrial {
  resume(record: InvocationRecord): Promise<InvocationResultFrame | undefined> | undefined;
  confirm(): void;
}

export interface UpdateTrialOptions {
  stateDir: string;
  /** The version this process runs. */
  version: string;
  logger: Logger;
  /** The agent stopping: an undecided trial leaves the invocation to the next start. */
  signal: AbortSignal;
}

/**
 * The trial this agent is on, if an update to its version is pending in the
 * state dir; undefined otherwise (no update, or this is the previous agent
 * restored by a rollback: the watchdog has stored the result already).
 */
export async function openUpdateTrial(options: UpdateTrialOptions): Promise<UpdateTrial | undefined> {
  const stateDir = path.resolve(options.stateDir);
  let handoff: Handoff | undefined;
  try {
    handoff = await readHandoff(stateDir);
  } catch (err) {
    options.logger.warn('ignoring an unreadable agent update hand-off', { err });
    return undefined;
  }
  if (!handoff || handoff.toVersion !== options.version) return undefined;
  const pending = handoff;
  const logger = options.logger.child({ invocationId: pending.invocationId, fromVersion: pending.fromVersion, toVersion: pending.toVersion });
  const success = (record: InvocationRecord) => updateResult(pending, record, { ok: true, line: `Updated the agent from ${pending.fromVersion} to ${pending.toVersion}.` });

  // Settles with true once this agent's confirmation stands, or false when the agent stops first.
  // A rollback never settles it: the doomed agent keeps holding the invocation (a re-delivered
  // start is answered `accepted`, never run again) until the watchdog stops it.
  let settle!: (confirmed: boolean) => void;
  const decided = new Promise<boolean>((resolve) => (settle = resolve));
  options.signal.addEventListener('abort', () => settle(false), { once: true });

  const earlier = await readOutcome(stateDir).catch(() => undefined);
  if (earlier?.outcome === 'confirmed') settle(true); // An earlier start of this version confirmed it, then restarted.
  let confirming = earlier !== undefined;
  if (earlier?.outcome === 'rolled-back') logger.warn('this agent update was rolled back; waiting to be stopped', { reason: earlier.reason });
  else if (!earlier) logger.info('agent update on trial: confirming once the server welcomes this agent', { timeoutMs: pending.timeoutMs });

  return {
    resume(record) {
      if (record.invocationId !== pending.invocationId) return undefined;
      return decided.then((confirmed) => (confirmed ? success(record) : undefined));
    },
    confirm() {
      if (confirming) return;
      confirming = true;
      claimOutcome(stateDir, { outcome: 'confirmed', version: options.version, pid: process.pid, at: Date.now() }).then(
        (standing) => {
          if (standing.outcome === 'confirmed') {
            logger.info('agent update confirmed: connected to the server');
            settle(true);
          } else {
            logger.warn('connected too late: the watchdog has rolled this update back', { reason: standing.reason });
          }
        },
        (err: unknown) => {
          // Not confirmed: the watchdog will roll back, which is safe.
          logger.error('could not record the update confirmation', { err });
        },
      );
    },
  };
}
