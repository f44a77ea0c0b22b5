import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ensureStateDir } from '../../state.js';
import type { PatchProgress } from './patch-operation.js';

/**
 * A patch operation waiting for its reboot, in <state dir>/patch-reboot/<invocation id>.json.
 *
 * Written before the reboot command runs: a real reboot kills the agent,
 * and the invocation runner then finds the invocation unfinished at the next
 * start. The plugin's `resume` claims it when this file exists and finishes
 * the operation after the reboot (rescan, evaluate, report) instead of the
 * runner reporting "the agent restarted". The file holds no secrets: the
 * operation's request (baseline rules), package facts and printed output.
 */
export const PATCH_REBOOT_DIR_NAME = 'patch-reboot';

export interface RebootHandoff {
  v: 1;
  invocationId: string;
  stepName: string;
  progress: PatchProgress;
  /** The node's boot time before the reboot: a later one proves the reboot happened. */
  bootTimeBefore?: number;
  /** What the step printed before the reboot; the final result carries it. */
  stdout: string;
  stderr: string;
  createdAt: number;
}

const dirOf = (stateDir: string) => path.join(stateDir, PATCH_REBOOT_DIR_NAME);
/** Invocation ids are restricted to [A-Za-z0-9_.:-] by the protocol, so an id is a safe file name. */
const fileOf = (stateDir: string, invocationId: string) => path.join(dirOf(stateDir), `${invocationId}.json`);

/** Synchronous on purpose: the invocation runner asks at load() and needs the answer at once. */
export function hasRebootHandoff(stateDir: string, invocationId: string): boolean {
  return existsSync(fileOf(stateDir, invocationId));
}

export async function readRebootHandoff(stateDir: string, invocationId: string): Promise<RebootHandoff> {
  const value = JSON.parse(await fs.readFile(fileOf(stateDir, invocationId), 'utf8')) as RebootHandoff;
  if (value?.v !== 1 || value.invocationId !== invocationId || !value.progress?.request) throw new Error(`${fileOf(stateDir, invocationId)} is not a patch reboot hand-off this agent reads`);
  return value;
}

/** Durable (temp file, fsync, rename): the reboot may cut the power right after. */
export async function writeRebootHandoff(stateDir: string, handoff: RebootHandoff): Promise<void> {
  await ensureStateDir(stateDir);
  await fs.mkdir(dirOf(stateDir), { recursive: true, mode: 0o700 });
  const target = fileOf(stateDir, handoff.invocationId);
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await fs.open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(JSON.stringify(handoff) + '\n');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temp, target);
  const dir = await fs.open(dirOf(stateDir), 'r').catch(() => undefined);
  await dir?.sync().catch(() => {});
  await dir?.close();
}

export async function removeRebootHandoff(stateDir: string, invocationId: string): Promise<void> {
  await fs.rm(fileOf(stateDir, invocationId), { force: true });
}

/**
 * Removes hand-offs older than `maxAgeMs`: an operation cancelled while it
 * waited for its reboot, whose invocation the runner has reported since.
 */
export async function pruneRebootHandoffs(stateDir: string, maxAgeMs: number, now = Date.now()): Promise<void> {
  const names = await fs.readdir(dirOf(stateDir)).catch(() => [] as string[]);
  for (const name of names) {
    const file = path.join(dirOf(stateDir), name);
    const age = now - (await fs.stat(file).catch(() => ({ mtimeMs: now }))).mtimeMs;
    if (age > maxAgeMs) await fs.rm(file, { force: true });
  }
}
