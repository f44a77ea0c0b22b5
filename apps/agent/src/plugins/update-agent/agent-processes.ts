import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { processIsAlive } from '../process-tree.js';

/**
 * Finding and stopping agent processes through /proc (Linux), for the update
 * watchdog: under systemd it did not start the new agent and has no handle
 * on it, and a crash-looping one gets a new pid on every restart.
 */

/** Clock ticks per second of /proc/<pid>/stat's start time: USER_HZ, 100 on every Linux architecture Node.js runs on. */
const USER_HZ = 100;

export interface AgentProcess {
  pid: number;
  /** When it started, in clock ticks since boot. */
  startTicks: number;
}

/** The arguments of a process, or undefined when it is gone or not readable. */
export function commandLine(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').slice(0, -1);
  } catch {
    return undefined;
  }
}

function startTicks(pid: number): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; start time is field 22 of the whole line.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return Number(fields[19]);
  } catch {
    return undefined;
  }
}

/** Now, in the same clock as AgentProcess.startTicks. */
export function uptimeTicks(): number {
  return Math.ceil(Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * USER_HZ);
}

/**
 * Processes running `node <bundleFile> agent … --state-dir <stateDir>`
 * (paths compared after resolving them against each process's own working
 * directory), other than this one.
 */
export function findAgentProcesses(bundleFile: string, stateDir: string): AgentProcess[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const found: AgentProcess[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const pid = Number(entry);
    const argv = commandLine(pid);
    if (!argv) continue;
    let cwd: string;
    try {
      cwd = readlinkSync(`/proc/${pid}/cwd`);
    } catch {
      continue;
    }
    const at = argv.findIndex((arg, i) => i > 0 && argv[i + 1] === 'agent' && path.resolve(cwd, arg) === bundleFile);
    if (at === -1) continue;
    const rest = argv.slice(at + 2);
    const flag = rest.findIndex((arg) => arg === '--state-dir' || arg.startsWith('--state-dir='));
    if (flag === -1) continue;
    const value = rest[flag] === '--state-dir' ? rest[flag + 1] : rest[flag]!.slice('--state-dir='.length);
    if (value === undefined || path.resolve(cwd, value) !== stateDir) continue;
    const ticks = startTicks(pid);
    if (ticks !== undefined) found.push({ pid, startTicks: ticks });
  }
  return found;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves true once `pid` has exited, false if it is still alive after `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (processIsAlive(pid)) {
    if (Date.now() >= until) return false;
    await sleep(50);
  }
  return true;
}

/** SIGTERM (the agent shuts down cleanly), then SIGKILL after `graceMs`; resolves once every one is gone. */
export async function stopProcesses(pids: number[], graceMs: number): Promise<void> {
  const signal = (pid: number, name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {
      // Already gone.
    }
  };
  for (const pid of pids) signal(pid, 'SIGTERM');
  const stopped = await Promise.all(pids.map((pid) => waitForExit(pid, graceMs)));
  const left = pids.filter((_, i) => !stopped[i]);
  for (const pid of left) signal(pid, 'SIGKILL');
  await Promise.all(left.map((pid) => waitForExit(pid, 2_000)));
}

/** Whether `pid` is a live update watchdog (not merely a process that got its number later). */
export function isWatchdog(pid: number): boolean {
  return processIsAlive(pid) && (commandLine(pid)?.includes(WATCHDOG_COMMAND) ?? false);
}

/** The bundle's hidden command that runs the watchdog. */
export const WATCHDOG_COMMAND = 'update-watchdog';
