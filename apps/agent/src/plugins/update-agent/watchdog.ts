import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { InvocationStore } from '../../invocations/invocation-store.js';
import type { Logger } from '../../logger.js';
import { findAgentProcesses, stopProcesses, uptimeTicks, waitForExit } from './agent-processes.js';
import { claimOutcome, clearHandoff, readHandoff, readOutcome, updateResult, writeWatchdog, type Handoff } from './handoff.js';

export interface WatchdogOptions {
  stateDir: string;
  logger: Logger;
  /** How often the outcome is looked at (default 200 ms). */
  pollMs?: number;
  /** How long a stopped agent gets between SIGTERM and SIGKILL (default 10 s). */
  stopGraceMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The update watchdog (`node tend-agent.previous.cjs update-watchdog
 * --state-dir …`). It runs the *previous* agent's code, which is known to
 * work, never the new one's. The old agent starts it, waits until it has
 * written its pid, and exits. Then:
 *
 * - run by hand (not supervised), it waits for the old agent to be gone and
 *   starts the new one itself, with the old one's arguments;
 * - under systemd (supervised), systemd starts the new one (Restart=always),
 *   and KillMode=process keeps the watchdog alive across that restart.
 *
 * It then waits for outcome.json. The new agent creates it ("confirmed")
 * when the server welcomes it. If the time runs out first, or (by hand) the
 * new agent exits before connecting, the watchdog claims the outcome
 * itself and rolls back: it writes the invocation's Failed result where the
 * runner keeps results, puts the previous bundle back, stops every agent
 * process that started before that (the new code, possibly crash-looping),
 * and, by hand, starts the previous agent again; under systemd, stopping the
 * new agent is what makes systemd start the restored one. Returns the exit
 * status.
 */
export async function runUpdateWatchdog(options: WatchdogOptions): Promise<number> {
  const stateDir = path.resolve(options.stateDir);
  const pollMs = options.pollMs ?? 200;
  const handoff = await readHandoff(stateDir);
  if (!handoff) {
    options.logger.error('no agent update is in progress', { stateDir });
    return 1;
  }
  const logger = options.logger.child({ invocationId: handoff.invocationId, fromVersion: handoff.fromVersion, toVersion: handoff.toVersion });
  await writeWatchdog(stateDir, process.pid);
  logger.info('update watchdog running', { supervised: handoff.supervised, timeoutMs: handoff.timeoutMs });

  let child: ChildProcess | undefined;
  let childEnded: string | undefined;
  if (!handoff.supervised) {
    // The same identity must not connect twice: the old agent goes first.
    if (!(await waitForExit(handoff.agentPid, 30_000))) {
      logger.warn('the old agent did not exit; stopping it', { pid: handoff.agentPid });
      await stopProcesses([handoff.agentPid], 2_000);
    }
    child = startAgent(handoff);
    child.once('error', (err) => (childEnded = `could not be started (${err.message})`));
    child.once('exit', (code, signal) => (childEnded = signal ? `was killed by ${signal}` : `exited with status ${code}`));
    logger.info('started the new agent', { pid: child.pid });
  }

  const deadline = Date.now() + handoff.timeoutMs;
  let reason: string | undefined;
  for (;;) {
    if (await readOutcome(stateDir)) break;
    if (childEnded) {
      reason = `the new agent ${childEnded} before it connected to the server`;
      break;
    }
    if (Date.now() >= deadline) {
      reason = `the new agent did not connect to the server within ${formatSeconds(handoff.timeoutMs)}`;
      break;
    }
    await sleep(pollMs);
  }

  const outcome = reason === undefined ? await readOutcome(stateDir) : await claimOutcome(stateDir, { outcome: 'rolled-back', reason, at: Date.now() });
  if (outcome?.outcome === 'confirmed') {
    logger.info('the new agent connected; the update is done', { pid: outcome.pid });
    child?.unref();
    await clearHandoff(stateDir);
    return 0;
  }
  const why = outcome?.outcome === 'rolled-back' ? outcome.reason : (reason ?? 'unknown');
  logger.warn('rolling the agent update back', { reason: why });
  await rollBack(stateDir, handoff, why, child, options.stopGraceMs ?? 10_000, logger);
  await clearHandoff(stateDir);
  return 0;
}

/** `node <bundle> agent …` as the old agent was started, detached so that it outlives the watchdog. */
function startAgent(handoff: Handoff): ChildProcess {
  const { launch } = handoff;
  const child = spawn(launch.node, [...launch.execArgv, handoff.bundleFile, ...launch.args], {
    cwd: launch.cwd,
    env: process.env,
    detached: true,
    // The agent logs where the old one did: the journal under systemd, the terminal by hand.
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return child;
}

async function rollBack(stateDir: string, handoff: Handoff, reason: string, child: ChildProcess | undefined, graceMs: number, logger: Logger): Promise<void> {
  const message = `The agent update from ${handoff.fromVersion} to ${handoff.toVersion} was rolled back: ${reason}. Agent ${handoff.fromVersion} was put back.`;
  // The result first: the agent started below reports it as soon as it connects.
  await recordFailure(stateDir, handoff, message, logger);

  // Copy, not move: the previous bundle stays for the watchdog of a later update.
  const temp = path.join(path.dirname(handoff.bundleFile), `.tend-agent.restore.${randomBytes(4).toString('hex')}.cjs`);
  await fs.copyFile(handoff.previousFile, temp);
  await fs.rename(temp, handoff.bundleFile);
  const restoredAt = uptimeTicks();
  logger.info('previous agent bundle restored', { bundleFile: handoff.bundleFile });

  // Whatever started before the restore runs the new code; a supervisor's later restarts run the old.
  const pids = new Set(findAgentProcesses(handoff.bundleFile, stateDir).filter((p) => p.startTicks <= restoredAt).map((p) => p.pid));
  if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) pids.add(child.pid);
  if (pids.size > 0) {
    logger.info('stopping the new agent', { pids: [...pids] });
    await stopProcesses([...pids], graceMs);
  }
  if (!handoff.supervised) {
    const previous = startAgent(handoff);
    previous.unref();
    logger.info('started the previous agent again', { pid: previous.pid });
  }
}

/** Stores the Failed result in the invocation's record, where the runner of the agent that starts next finds and sends it. */
async function recordFailure(stateDir: string, handoff: Handoff, message: string, logger: Logger): Promise<void> {
  const store = new InvocationStore(stateDir);
  const records = await store.list((file, problem) => logger.warn('ignoring unreadable invocation record', { file, problem }));
  const record = records.find((r) => r.invocationId === handoff.invocationId);
  if (!record) {
    logger.error('the update invocation has no record; its result cannot be reported', { invocationId: handoff.invocationId });
    return;
  }
  await store.save({ ...record, result: updateResult(handoff, record, { ok: false, reason: message }) });
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}
