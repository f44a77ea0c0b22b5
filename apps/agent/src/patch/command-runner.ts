import { spawn } from 'node:child_process';
import { lstat, readlink } from 'node:fs/promises';
import path from 'node:path';
import { killProcessGroup } from '../plugins/process-tree.js';

/**
 * The one way package backends run commands. It pins the environment the
 * parsers rely on (C locale, no prompts, a PATH with the sbin directories
 * dpkg and rpm need), runs the command chrooted into the system root when
 * the agent manages another system (`--system-root DIR`), and stops the
 * command's whole process tree when the operation is cancelled.
 */

/** Fixed environment of every package command: the parsers read English, and nothing may ask a question. */
export const PACKAGE_COMMAND_ENV: Readonly<Record<string, string>> = {
  LANG: 'C',
  LC_ALL: 'C',
  LANGUAGE: 'C',
  // The agent's own PATH (a service unit, a user shell) may lack sbin; inside a chroot the host's PATH means nothing.
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  DEBIAN_FRONTEND: 'noninteractive',
  DEBCONF_NONINTERACTIVE_SEEN: 'true',
  APT_LISTCHANGES_FRONTEND: 'none',
  NEEDRESTART_MODE: 'l',
  // zypper and dnf read these to decide whether to page or colour output.
  TERM: 'dumb',
  PAGER: 'cat',
};

export interface RunOptions {
  signal?: AbortSignal;
  /** Extra variables on top of PACKAGE_COMMAND_ENV (never the agent's own environment). */
  env?: Record<string, string>;
  /** Text for the command's stdin; stdin is /dev/null otherwise. */
  input?: string;
}

export interface CommandResult {
  argv: readonly string[];
  /** Exit code; 128 + signal number when a signal ended it. */
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A command that ran but exited with a status its caller does not accept. */
export class CommandFailedError extends Error {
  constructor(readonly result: CommandResult) {
    const detail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-5).join('\n');
    super(`${result.argv.join(' ')} exited with ${result.exitCode}${detail ? `: ${detail}` : ''}`);
    this.name = 'CommandFailedError';
  }
}

/** Runs package commands on the managed system. */
export interface CommandRunner {
  /** The managed system's root on this machine: `/` for the machine itself. */
  readonly systemRoot: string;
  /** Runs `argv` on the managed system (chrooted when the root is not `/`); resolves with any exit code, rejects only if it could not start or was aborted. */
  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult>;
  /**
   * Where a path of the managed system is on this machine, resolving
   * symbolic links as the managed system would (an absolute link such as
   * Debian's /var/run → /run points inside the root, not at the host's).
   */
  hostPath(systemPath: string): Promise<string>;
}

export interface CommandRunnerOptions {
  /** Root of the managed system (`--system-root`); `/` by default. */
  systemRoot?: string;
  /** Grace between SIGTERM and SIGKILL when a command is cancelled (default 10 s: dpkg should get a chance to finish a file). */
  killGraceMs?: number;
  /** Output kept per stream; the rest is dropped with a note (default 64 MiB: the largest listing of a big system fits). */
  maxOutputBytes?: number;
}

/** Runs `argv` and rejects with CommandFailedError unless it exits with one of `okExitCodes` (default 0). */
export async function runChecked(
  runner: CommandRunner,
  argv: readonly string[],
  options: RunOptions & { okExitCodes?: readonly number[] } = {},
): Promise<CommandResult> {
  const result = await runner.run(argv, options);
  if (!(options.okExitCodes ?? [0]).includes(result.exitCode)) throw new CommandFailedError(result);
  return result;
}

/** The error an aborted operation rejects with: the signal's reason when it is an Error. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('the package operation was cancelled');
}

/** Creates the runner for the system at `options.systemRoot`. */
export function createCommandRunner(options: CommandRunnerOptions = {}): CommandRunner {
  const systemRoot = path.resolve(options.systemRoot ?? '/');
  const chrooted = systemRoot !== '/';
  const killGraceMs = options.killGraceMs ?? 10_000;
  const maxOutputBytes = options.maxOutputBytes ?? 64 * 1024 * 1024;

  return {
    systemRoot,
    hostPath: (systemPath) => resolveInRoot(systemRoot, systemPath),
    run(argv, runOptions = {}) {
      const { signal } = runOptions;
      if (argv.length === 0) return Promise.reject(new Error('empty command'));
      if (signal?.aborted) return Promise.reject(abortError(signal));
      // `chroot DIR cmd` rather than a chroot() in-process: Node cannot, and the chroot binary is everywhere.
      const full = chrooted ? ['chroot', systemRoot, ...argv] : [...argv];
      return new Promise<CommandResult>((resolve, reject) => {
        const child = spawn(full[0]!, full.slice(1), {
          env: { ...PACKAGE_COMMAND_ENV, ...runOptions.env },
          cwd: '/',
          // Its own process group, so a cancel reaches dpkg and every maintainer script it forked.
          detached: true,
          stdio: [runOptions.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        });
        const stdout = new OutputBuffer(maxOutputBytes);
        const stderr = new OutputBuffer(maxOutputBytes);
        child.stdout!.on('data', (chunk: Buffer) => stdout.add(chunk));
        child.stderr!.on('data', (chunk: Buffer) => stderr.add(chunk));
        if (runOptions.input !== undefined) child.stdin!.end(runOptions.input);

        let stopping: Promise<void> | undefined;
        const onAbort = () => {
          if (child.pid !== undefined && !stopping) stopping = killProcessGroup(child.pid, killGraceMs);
        };
        signal?.addEventListener('abort', onAbort, { once: true });

        child.once('error', (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        });
        child.once('close', (code, signalName) => {
          signal?.removeEventListener('abort', onAbort);
          void (stopping ?? Promise.resolve()).then(() => {
            if (signal?.aborted) {
              reject(abortError(signal));
              return;
            }
            const exitCode = code ?? 128 + signalNumber(signalName);
            resolve({ argv: full, exitCode, stdout: stdout.text(), stderr: stderr.text() });
          });
        });
      });
    },
  };
}

function signalNumber(name: NodeJS.Signals | null): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };
  return (name && numbers[name]) ?? 0;
}

class OutputBuffer {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private dropped = 0;
  constructor(private readonly limit: number) {}

  add(chunk: Buffer): void {
    const room = this.limit - this.size;
    if (room <= 0) {
      this.dropped += chunk.length;
      return;
    }
    const kept = chunk.length <= room ? chunk : chunk.subarray(0, room);
    this.chunks.push(kept);
    this.size += kept.length;
    this.dropped += chunk.length - kept.length;
  }

  text(): string {
    const text = Buffer.concat(this.chunks).toString('utf8');
    return this.dropped > 0 ? `${text}\n[${this.dropped} bytes of output dropped]\n` : text;
  }
}

/**
 * Resolves `systemPath` inside `root` component by component, following
 * symbolic links with `root` as `/`, so nothing resolves outside the root.
 * Components that do not exist yet are kept as they are (the caller may be
 * about to create them).
 */
export async function resolveInRoot(root: string, systemPath: string): Promise<string> {
  const resolvedRoot = path.resolve(root);
  if (resolvedRoot === '/') return path.resolve('/', systemPath);
  const pending = path.posix.normalize('/' + systemPath).split('/').filter(Boolean);
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      done.pop();
      continue;
    }
    const candidate = path.join(resolvedRoot, ...done, part);
    let target: string | undefined;
    try {
      if ((await lstat(candidate)).isSymbolicLink()) target = await readlink(candidate);
    } catch {
      // Missing: keep the name and go on.
    }
    if (target === undefined) {
      done.push(part);
      continue;
    }
    if (++links > 40) throw new Error(`too many symbolic links resolving ${systemPath} under ${root}`);
    const rest = target.split('/').filter(Boolean);
    if (target.startsWith('/')) done.length = 0;
    pending.unshift(...rest);
  }
  return path.join(resolvedRoot, ...done);
}
