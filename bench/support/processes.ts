import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TendClient } from '@tend/cli';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The `tend` executable, run as users run it. */
export const TEND_BIN = path.join(ROOT, 'apps/cli/bin/tend.js');
export const BENCH_CREDENTIALS = { accessKeyId: 'AKIABENCHROOT0000001', secretAccessKey: 'bench-root-secret-not-for-production' };

/** Whether children can be pinned to CPUs (two or more CPUs and taskset). */
export const CAN_PIN = os.availableParallelism() >= 2 && spawnSync('taskset', ['--version']).status === 0;

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

const cleanups: Array<() => void> = [];
process.on('exit', () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});
process.on('SIGINT', () => process.exit(130));

export function fail(message: string): never {
  process.stderr.write(`\n[bench] FAILED: ${message}\n`);
  process.exit(1);
}

/** A temporary directory removed when the benchmark exits, however it exits. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface StartOptions {
  /** Pin to this CPU when pinning is possible. */
  cpu?: number;
  env?: NodeJS.ProcessEnv;
  stdout?: 'pipe' | 'ignore' | 'inherit';
  stderr?: 'pipe' | 'ignore' | 'inherit';
  /** A child that must outlive the run: its exiting before `stopChild` fails the benchmark. */
  essential?: boolean;
}

const running = new Set<ChildProcess>();
cleanups.push(() => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts `node <args>` as a child process. When pinned, taskset execs node,
 * so the child's pid is node's own and /proc readings are the program's.
 */
export function startNode(name: string, args: string[], options: StartOptions = {}): ChildProcess {
  const pinned = CAN_PIN && options.cpu !== undefined;
  const [command, argv] = pinned ? ['taskset', ['-c', String(options.cpu), process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(command, argv, { cwd: ROOT, env: options.env ?? process.env, stdio: ['ignore', options.stdout ?? 'inherit', options.stderr ?? 'inherit'] });
  running.add(child);
  child.on('exit', (code, signal) => {
    if (options.essential && running.has(child)) fail(`${name} exited unexpectedly (${signal ?? `code ${code}`})`);
    running.delete(child);
  });
  return child;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child is gone. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  running.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface BenchServer {
  child: ChildProcess;
  url: string;
  client: TendClient;
  dataDir: string;
}

/** A child's piped stdout as lines: the latest one, and a wait for the first that matches. */
export function stdoutLines(child: ChildProcess): { latest(): string; waitFor(pattern: RegExp, timeoutMs: number, what: string): Promise<string> } {
  const lines: string[] = [];
  const waiters = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const complete = buffer.split('\n');
    buffer = complete.pop()!;
    for (const line of complete) {
      lines.push(line);
      for (const waiter of waiters) if (waiter.pattern.test(line)) waiter.resolve(line);
    }
  });
  return {
    latest: () => lines.at(-1) ?? '',
    waitFor(pattern, timeoutMs, what) {
      const seen = lines.find((line) => pattern.test(line));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve) => {
        const timer = setTimeout(() => fail(`no ${what} after ${Math.round(timeoutMs / 1000)} s (last line: ${lines.at(-1) ?? 'none'})`), timeoutMs);
        const waiter = {
          pattern,
          resolve: (line: string) => {
            clearTimeout(timer);
            waiters.delete(waiter);
            resolve(line);
          },
        };
        waiters.add(waiter);
      });
    },
  };
}

/**
 * `tend server` as a child process on a free port, SQLite in a temporary
 * data dir, fixed root credentials, warn-level logs; resolves once /healthz
 * answers. `nodeArgs` go to node itself (e.g. --cpu-prof).
 */
export async function startTendServer(options: { cpu?: number; env?: Record<string, string>; nodeArgs?: string[] } = {}): Promise<BenchServer> {
  const port = await freePort();
  const dataDir = tempDir('tend-bench-server-');
  const child = startNode('tend server', [...(options.nodeArgs ?? []), TEND_BIN, 'server', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir], {
    cpu: options.cpu,
    essential: true,
    env: {
      ...process.env,
      TEND_ROOT_ACCESS_KEY_ID: BENCH_CREDENTIALS.accessKeyId,
      TEND_ROOT_SECRET_ACCESS_KEY: BENCH_CREDENTIALS.secretAccessKey,
      TEND_LOG_LEVEL: 'warn',
      TEND_DATABASE_URL: '',
      ...options.env,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) fail('tend server did not become healthy within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, url, dataDir, client: new TendClient({ endpoint: url, region: 'us-east-1', credentials: BENCH_CREDENTIALS }) };
}

/** Creates activations for `nodes` registrations: at most 1,000 each, as the API allows. */
export async function createActivations(client: TendClient, nodes: number): Promise<Array<{ id: string; code: string }>> {
  const activations: Array<{ id: string; code: string }> = [];
  for (let left = nodes; left > 0; left -= 1000) {
    const out = await client.ssm<{ ActivationId: string; ActivationCode: string }>('CreateActivation', {
      IamRole: 'SSMServiceRole',
      RegistrationLimit: Math.min(1000, left),
      Description: 'benchmark',
    });
    activations.push({ id: out.ActivationId, code: out.ActivationCode });
  }
  return activations;
}

/** Counts the managed nodes with this ping status through the API (DescribeInstanceInformation, every page). */
export async function countNodes(client: TendClient, pingStatus: string): Promise<number> {
  let count = 0;
  let token: string | undefined;
  do {
    const page = await client.ssm<{ InstanceInformationList?: unknown[]; NextToken?: string }>('DescribeInstanceInformation', {
      Filters: [{ Key: 'PingStatus', Values: [pingStatus] }],
      MaxResults: 50,
      NextToken: token,
    });
    count += page.InstanceInformationList?.length ?? 0;
    token = page.NextToken;
  } while (token);
  return count;
}

export function positiveInt(name: string, text: string | undefined): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) fail(`--${name} must be a positive whole number`);
  return n;
}
