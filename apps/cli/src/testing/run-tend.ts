import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The real `tend` executable, run the way users run it. */
export const TEND_BIN = fileURLToPath(new URL('../../bin/tend.js', import.meta.url));

export interface ProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Environment for a child process with nothing inherited but PATH and HOME,
 * so a developer's own AWS_* or TEND_* variables cannot leak into a test.
 */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8' };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

/** Runs any program to completion and collects its output (the aws CLI, python3, tend). */
export function runProcess(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? cleanEnv(), cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    // A program that exits without reading its input (a script refusing its arguments) closes
    // the pipe first; that EPIPE is not the test's failure, its exit code and output are.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** Runs `tend <args>` to completion. */
export function runTend(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<ProcessRun> {
  return runProcess(process.execPath, [TEND_BIN, ...args], options);
}

/** A long-running `tend` (up, server) whose output is collected as it arrives. */
export interface LiveTend {
  child: ChildProcess;
  /** Everything printed so far. */
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves with the stream's whole output once `pattern` matches it (already printed output counts). */
  waitFor(stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends a signal; resolves with the exit code and how long exiting took, or fails after `timeoutMs`. */
  stop(signal: NodeJS.Signals, timeoutMs?: number): Promise<{ code: number | null; ms: number }>;
}

/** Starts `tend <args>` in the background (`tend up`, `tend server`). */
export function startTend(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): LiveTend {
  const child = spawn(process.execPath, [TEND_BIN, ...args], { env: options.env ?? cleanEnv(), cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stdout!.on('data', (c: Buffer) => (out.stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out.stderr += c.toString()));
  return {
    child,
    get stdout() {
      return out.stdout;
    },
    get stderr() {
      return out.stderr;
    },
    waitFor(stream, pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!pattern.test(out[stream])) return false;
          cleanup();
          resolve(out[stream]);
          return true;
        };
        const timer = setTimeout(() => fail(`timed out waiting for ${pattern}`), timeoutMs);
        const fail = (why: string) => {
          cleanup();
          reject(new Error(`${why} on ${stream}; stdout:\n${out.stdout}\nstderr:\n${out.stderr}`));
        };
        const onData = () => setImmediate(check);
        const onExit = (code: number | null) => setImmediate(() => check() || fail(`tend exited with ${code} before printing ${pattern}`));
        const cleanup = () => {
          clearTimeout(timer);
          child[stream]!.off('data', onData);
          child.off('exit', onExit);
        };
        if (check()) return;
        child[stream]!.on('data', onData);
        child.once('exit', onExit);
      });
    },
    async stop(signal, timeoutMs = 15_000) {
      const started = Date.now();
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`tend did not exit within ${timeoutMs} ms of ${signal}`));
        }, timeoutMs);
      });
      try {
        const code = await Promise.race([exited, timeout]);
        return { code, ms: Date.now() - started };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** The environment a user has after pasting `tend up`'s export block: root credentials for this server. */
export function rootEnvFor(server: { url: string; credentials: { accessKeyId: string; secretAccessKey: string } }): NodeJS.ProcessEnv {
  return cleanEnv({
    AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_SSM: server.url,
  });
}

/** Wraps a runner so `json(...args)` runs it with --json, expects a clean exit and parses the output. */
export function jsonRunner(run: (...args: string[]) => Promise<ProcessRun>): (...args: string[]) => Promise<any> {
  return async (...args: string[]) => {
    const result = await run(...args, '--json');
    if (result.code !== 0 || result.stderr !== '') {
      throw new Error(`tend ${args.join(' ')} --json exited ${result.code}: ${result.stderr}`);
    }
    return JSON.parse(result.stdout);
  };
}
