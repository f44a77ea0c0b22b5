import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { constants as osConstants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { killProcessGroup } from '../process-tree.js';
import { notRun, STOPPED_PREEMPTIVELY_RESPONSE_CODE, type Plugin, type PluginContext, type PluginResult } from '../plugin.js';

export const RUN_SHELL_SCRIPT_ACTION = 'aws:runShellScript';

/** Systems Manager's default executionTimeout for AWS-RunShellScript, in seconds. */
export const DEFAULT_EXECUTION_TIMEOUT_SECONDS = 3_600;

/** Name Systems Manager's Linux agent gives the script file. */
const SCRIPT_NAME = '_script.sh';

/** Largest delay setTimeout honours; longer deadlines are re-armed in steps. */
const MAX_TIMER_MS = 2_147_483_647;

export interface RunShellScriptOptions {
  /** Interpreter for the script file; `sh`, as Systems Manager's Linux agent uses. */
  shell?: string;
  /** Time between SIGTERM and SIGKILL when stopping the tree. */
  killGraceMs?: number;
  /**
   * After the script exits, how long to keep reading output that background
   * processes it left behind still write to the inherited pipes. Without a
   * limit a `daemon &` would hold the step open forever.
   */
  drainMs?: number;
}

interface ShellInputs {
  commands: string[];
  workingDirectory?: string;
  timeoutSeconds?: number;
}

/** Validates the step's inputs; a string is the reason they are unusable. */
function parseInputs(inputs: Record<string, unknown>): ShellInputs | string {
  const raw = inputs.runCommand ?? inputs.commands;
  const commands = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(commands) || commands.length === 0 || !commands.every((line) => typeof line === 'string')) {
    return 'Input runCommand must be a non-empty list of strings.';
  }
  const workingDirectory = inputs.workingDirectory;
  if (workingDirectory !== undefined && typeof workingDirectory !== 'string') return 'Input workingDirectory must be a string.';
  // Documents pass numbers as strings ("3600"); both names occur (plugin input vs document parameter).
  const rawTimeout = inputs.timeoutSeconds ?? inputs.executionTimeout;
  let timeoutSeconds: number | undefined;
  if (rawTimeout !== undefined && rawTimeout !== '') {
    timeoutSeconds = typeof rawTimeout === 'number' ? rawTimeout : typeof rawTimeout === 'string' ? Number(rawTimeout) : NaN;
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) return 'Input timeoutSeconds must be a positive number of seconds.';
  }
  return { commands: commands as string[], workingDirectory: workingDirectory === '' ? undefined : workingDirectory, timeoutSeconds };
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Resolves when `stream` closes, or after `ms` (then the stream is destroyed so its fd is released). */
function closedWithin(stream: Readable, ms: number): Promise<void> {
  if (stream.closed || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      stream.destroy();
      resolve();
    }, ms);
    stream.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * aws:runShellScript. The commands become one script file (mode 0700, in a
 * fresh directory per invocation, removed afterwards) run by `sh`, so a
 * multi-line document behaves as one script, as in Systems Manager. The step's
 * environment variables (SSM_<name> from ENV_VAR interpolation) reach the
 * script only through its environment: never the script text, never a log.
 *
 * The script runs as the leader of its own process group; cancel or the
 * execution timeout stops the whole group (SIGTERM, then SIGKILL) and the
 * step reports Cancelled or TimedOut with response code 137, as Systems
 * Manager's Linux agent does. A script that exits normally may leave
 * background processes running (that is how people start services with
 * Run Command); their output stops being collected after `drainMs`.
 */
export function createRunShellScriptPlugin(options: RunShellScriptOptions = {}): Plugin {
  const shell = options.shell ?? 'sh';
  const killGraceMs = options.killGraceMs ?? 5_000;
  const drainMs = options.drainMs ?? 1_000;

  async function run(rawInputs: Record<string, unknown>, context: PluginContext): Promise<PluginResult> {
    const startedAt = Date.now();
    const inputs = parseInputs(rawInputs);
    if (typeof inputs === 'string') return notRun(context, inputs, startedAt);
    if (context.signal.aborted) {
      return { status: 'Cancelled', responseCode: STOPPED_PREEMPTIVELY_RESPONSE_CODE, message: 'Cancelled before it started.', startedAt, endedAt: Date.now() };
    }
    const requestedCwd = inputs.workingDirectory ?? context.workingDirectory;
    if (requestedCwd !== undefined && !(await isDirectory(requestedCwd))) {
      return notRun(context, `Working directory ${requestedCwd} does not exist or is not a directory.`, startedAt);
    }
    const deadline = Math.min(context.deadline, inputs.timeoutSeconds === undefined ? Infinity : startedAt + inputs.timeoutSeconds * 1000);

    // mkdtemp creates the directory 0700: other users can neither read the script nor swap it.
    const invocationDir = await mkdtemp(join(context.scratchDir ?? tmpdir(), 'tend-run-'));
    try {
      const scriptPath = join(invocationDir, SCRIPT_NAME);
      await writeFile(scriptPath, inputs.commands.join('\n') + '\n', { mode: 0o700 });
      const cwd = requestedCwd ?? invocationDir;
      // Names only in the log: the values may be secrets.
      context.logger.info('running shell script', { lines: inputs.commands.length, workingDirectory: cwd, extraEnvCount: Object.keys(context.env).length });
      return await execute(scriptPath, cwd, deadline, context, startedAt);
    } finally {
      await rm(invocationDir, { recursive: true, force: true });
    }
  }

  function execute(scriptPath: string, cwd: string, deadline: number, context: PluginContext, startedAt: number): Promise<PluginResult> {
    return new Promise((resolve) => {
      const child = spawn(shell, [scriptPath], {
        cwd,
        env: { ...process.env, ...context.env },
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (chunk: Buffer) => context.output.write('stdout', chunk));
      child.stderr.on('data', (chunk: Buffer) => context.output.write('stderr', chunk));

      let stopReason: 'Cancelled' | 'TimedOut' | undefined;
      let stopping: Promise<void> | undefined;
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      let exited = false;

      const stop = (reason: 'Cancelled' | 'TimedOut') => {
        // Once the script has exited on its own its result stands; what it left running is not stopped.
        if (stopReason !== undefined || exited || child.pid === undefined) return;
        stopReason = reason;
        context.logger.info('stopping shell script', { reason, pid: child.pid });
        stopping = killProcessGroup(child.pid, killGraceMs);
      };
      const onAbort = () => stop('Cancelled');
      const arm = () => {
        const left = deadline - Date.now();
        if (left <= 0) stop('TimedOut');
        else timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
      };
      context.signal.addEventListener('abort', onAbort, { once: true });
      if (Number.isFinite(deadline)) arm();

      const finish = (result: Omit<PluginResult, 'startedAt' | 'endedAt'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        context.signal.removeEventListener('abort', onAbort);
        resolve({ ...result, startedAt, endedAt: Date.now() });
      };

      child.once('error', (err) => {
        // Spawn failed (no shell?): nothing ran.
        finish(notRunResult(context, `Could not start ${shell}: ${err.message}`));
      });
      child.once('exit', (code, signal) => {
        exited = true;
        void (async () => {
          // On a stop, the leader's death is not enough: wait until its whole group is gone.
          if (stopping) await stopping;
          await Promise.all([closedWithin(child.stdout, drainMs), closedWithin(child.stderr, drainMs)]);
          if (stopReason !== undefined) {
            const message = stopReason === 'TimedOut' ? 'Execution timed out; the process tree was stopped.' : 'Cancelled; the process tree was stopped.';
            finish({ status: stopReason, responseCode: STOPPED_PREEMPTIVELY_RESPONSE_CODE, message });
          } else if (code !== null) {
            finish(code === 0 ? { status: 'Success', responseCode: 0 } : { status: 'Failed', responseCode: code, message: `Script exited with code ${code}.` });
          } else {
            // Killed by a signal nobody here sent: report it the way a shell would (128 + number).
            const number = signal ? (osConstants.signals[signal] ?? 0) : 0;
            finish({ status: 'Failed', responseCode: 128 + number, message: `Script was killed by ${signal ?? 'a signal'}.` });
          }
        })();
      });
    });
  }

  return { name: RUN_SHELL_SCRIPT_ACTION, run };
}

function notRunResult(context: PluginContext, message: string): Omit<PluginResult, 'startedAt' | 'endedAt'> {
  const { status, responseCode } = notRun(context, message);
  return { status, responseCode, message };
}

/** The plugin with default options. */
export const runShellScriptPlugin: Plugin = createRunShellScriptPlugin();
