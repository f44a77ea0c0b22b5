import { readdirSync, readFileSync } from 'node:fs';

/**
 * Helpers to stop a plugin's whole process tree. Plugins start their
 * process as the leader of a new process group (spawn `detached`), so
 * everything it forks — background jobs, their children — shares that
 * group and one signal to the negative pid reaches all of it. (A process
 * that calls setsid() leaves the group; catching those needs cgroups, which
 * the agent does not require.)
 */

interface ProcStat {
  state: string;
  pgrp: number;
}

/** Reads /proc/<pid>/stat on Linux; undefined when there is no such process or no /proc. */
function procStat(pid: number | string): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name is in parentheses and may itself contain spaces or parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', pgrp: Number(fields[2]) };
}

function signalSucceeds(target: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(target, signal);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether `pid` is a live process. A zombie counts as dead: in containers
 * PID 1 often never reaps orphans, and a zombie runs nothing.
 */
export function processIsAlive(pid: number): boolean {
  if (!signalSucceeds(pid, 0)) return false;
  const stat = procStat(pid);
  return stat === undefined || stat.state !== 'Z';
}

/** Whether any live (non-zombie) process is left in process group `pgid`. */
export function processGroupIsAlive(pgid: number): boolean {
  if (!signalSucceeds(-pgid, 0)) return false;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true; // No /proc: the signal test is all we have.
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(entry);
    if (stat && stat.pgrp === pgid && stat.state !== 'Z') return true;
  }
  return false;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Stops every process in group `pgid`: SIGTERM first so scripts can clean
 * up, SIGKILL to whatever is still there after `graceMs`. Resolves once the
 * group is empty (or, should SIGKILL somehow not take, after a further second).
 */
export async function killProcessGroup(pgid: number, graceMs: number): Promise<void> {
  signalSucceeds(-pgid, 'SIGTERM');
  const termUntil = Date.now() + graceMs;
  while (processGroupIsAlive(pgid) && Date.now() < termUntil) await sleep(25);
  if (!processGroupIsAlive(pgid)) return;
  signalSucceeds(-pgid, 'SIGKILL');
  const killUntil = Date.now() + 1_000;
  while (processGroupIsAlive(pgid) && Date.now() < killUntil) await sleep(10);
}
