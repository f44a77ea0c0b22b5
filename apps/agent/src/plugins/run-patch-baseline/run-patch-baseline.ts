import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { AGENT_PROTOCOL_VERSION, RESULT_OUTPUT_CHARS, type InvocationResultFrame, type OperatingSystem } from '@tend/protocol';
import type { InvocationRecord } from '../../invocations/invocation-store.js';
import { silentLogger, type Logger } from '../../logger.js';
import { createCommandRunner, type CommandRunner } from '../../patch/command-runner.js';
import { createPackageBackend, detectPackageBackendKind } from '../../patch/index.js';
import type { PackageBackend } from '../../patch/package-backend.js';
import { NOT_RUN_RESPONSE_CODE, notRun, STOPPED_PREEMPTIVELY_RESPONSE_CODE, type Plugin, type PluginContext, type PluginResult } from '../plugin.js';
import { readPatchPlatform, type PatchPlatform } from './node-platform.js';
import type { ReadPatchText } from './patch-inputs.js';
import { completePatchOperation, rescan, runPatchStep, type PatchOutcome, type PatchOutputWriter, type PatchProgress, type RebootOutcome } from './patch-operation.js';
import { hasRebootHandoff, pruneRebootHandoffs, readRebootHandoff, removeRebootHandoff, writeRebootHandoff } from './reboot-handoff.js';

export const RUN_PATCH_BASELINE_ACTION = 'aws:runPatchBaseline';

/** How long after the reboot command exits the node may take to go down (and stop this agent) or come back. */
const DEFAULT_REBOOT_WAIT_MS = 10 * 60_000;
const DEFAULT_REBOOT_POLL_MS = 1_000;
/** Largest override document read from a file or URL: a baseline or a patch list is a few kilobytes. */
const MAX_OVERRIDE_BYTES = 1024 * 1024;

export interface RunPatchBaselineOptions {
  /** The agent's state dir: the reboot hand-off goes under it. */
  stateDir: string;
  /** Root of the managed system (`--system-root`): package commands run chrooted into it. Default `/`. */
  systemRoot?: string;
  /**
   * Shell command that reboots the node (`--reboot-command`). It runs on this
   * machine (not chrooted), with TEND_SYSTEM_ROOT set to the system root.
   * Default: `systemctl reboot` where systemd is, else `/sbin/reboot`.
   */
  rebootCommand?: string;
  /** The agent stopping: an operation resumed after a reboot is left for the next start. */
  signal?: AbortSignal;
  logger?: Logger;
  /** How long to wait for the node to reboot once the command has run (default 10 min). */
  rebootWaitMs?: number;
  rebootPollMs?: number;
}

export interface RunPatchBaselinePlugin extends Plugin {
  /**
   * For InvocationRunnerOptions.resume: claims an invocation whose operation
   * waited for a reboot when the previous agent process ended, and finishes
   * it (rescan, report). Undefined for any other invocation.
   */
  resume(record: InvocationRecord): Promise<InvocationResultFrame | undefined> | undefined;
}

/** The reboot command of this machine when none is configured. */
export function defaultRebootCommand(): string {
  return ['/usr/bin/systemctl', '/bin/systemctl'].some((file) => existsSync(file)) ? 'systemctl reboot' : '/sbin/reboot';
}

/**
 * aws:runPatchBaseline (issue 5): Scan or Install under the node's patch
 * baseline on the node's own package manager, reboot when needed, and
 * report the package facts for the server to record compliance.
 *
 * Reboot (RebootIfNeeded, and this Install changed packages, and the node
 * asks for a reboot): the operation is written to the state dir, then the
 * reboot command runs. If the node stops needing a reboot while this
 * process lives (a command that restarts services, or the tests'
 * simulated reboot), the operation finishes here. A real reboot stops the
 * agent instead: the step is handed off (the invocation stays unfinished
 * in the runner's records), and after the reboot the new agent process
 * claims it through `resume`, rescans and reports. The remaining steps of
 * a multi-step document do not run after a reboot.
 */
export function createRunPatchBaselinePlugin(options: RunPatchBaselineOptions): RunPatchBaselinePlugin {
  const systemRoot = options.systemRoot ?? '/';
  const rebootCommand = options.rebootCommand ?? defaultRebootCommand();
  const rebootWaitMs = options.rebootWaitMs ?? DEFAULT_REBOOT_WAIT_MS;
  const rebootPollMs = options.rebootPollMs ?? DEFAULT_REBOOT_POLL_MS;
  const logger = options.logger ?? silentLogger;
  const now = () => Date.now();

  /** The managed system: its package manager and what patch baselines call it. */
  async function openNode(serverOs: OperatingSystem | undefined): Promise<{ runner: CommandRunner; backend: PackageBackend; platform: PatchPlatform }> {
    const runner = createCommandRunner({ systemRoot });
    const kind = await detectPackageBackendKind(runner);
    if (!kind) throw new Error(`No package manager Tend patches with (apt, dnf, yum, zypper) was found on the system at ${runner.systemRoot}.`);
    const platform = await readPatchPlatform(runner);
    if (!platform) throw new Error(`The operating system at ${runner.systemRoot} is not one Tend patches (its /etc/os-release names no Debian, Ubuntu, Red Hat family, Amazon Linux or SUSE release).`);
    if (serverOs && serverOs !== platform.operatingSystem) logger.warn('the server names another operating system than os-release', { serverOs, detected: platform.operatingSystem });
    return { runner, backend: createPackageBackend(kind, runner), platform };
  }

  async function run(inputs: Record<string, unknown>, context: PluginContext): Promise<PluginResult> {
    const startedAt = Date.now();
    if (context.signal.aborted) return stopped(startedAt, 'Cancelled before it started.');
    let node: Awaited<ReturnType<typeof openNode>>;
    try {
      node = await openNode(typeof inputs.OperatingSystem === 'string' ? (inputs.OperatingSystem as OperatingSystem) : undefined);
    } catch (err) {
      return notRun(context, errorMessage(err), startedAt);
    }
    await pruneRebootHandoffs(options.stateDir, 7 * 86_400_000).catch(() => {});
    context.logger.info('patch operation', { operation: inputs.Operation, backend: node.backend.kind, product: node.platform.product, systemRoot });
    const step = await runPatchStep(inputs, {
      backend: node.backend,
      platform: node.platform,
      readText: readPatchText(node.runner),
      signal: context.signal,
      now,
      write: (stream, text) => context.output.write(stream, text),
      reboot: (progress) => reboot(progress, node.backend, context, startedAt),
    });
    switch (step.status) {
      case 'NotRun':
        return notRun(context, step.message, startedAt);
      case 'Stopped':
        return stopped(startedAt, 'Stopped while the patch operation ran.');
      case 'HandedOff':
        // The runner keeps the invocation unfinished; `resume` in the next agent process ends it.
        return { ...stopped(startedAt, 'Handed over to the agent that starts after the reboot.'), handedOff: true };
      case 'Error':
        return { status: 'Failed', responseCode: NOT_RUN_RESPONSE_CODE, message: step.message, startedAt, endedAt: Date.now() };
      default:
        return resultOf(step, startedAt);
    }
  }

  /**
   * Writes the hand-off, runs the reboot command, then waits: for the node
   * to stop needing the reboot (a reboot this process survives), or for the
   * agent to be stopped by the real one (handed off).
   */
  async function reboot(progress: PatchProgress, backend: PackageBackend, context: PluginContext, startedAt: number): Promise<RebootOutcome> {
    const { signal } = context;
    const invocationId = context.invocationId ?? `local-${startedAt}`;
    const bootTimeBefore = progress.facts.reboot?.lastBootTime;
    context.output.write('stdout', `Reboot command: ${rebootCommand}\n`);
    await writeRebootHandoff(options.stateDir, {
      v: 1,
      invocationId,
      stepName: context.stepName ?? 'PatchBaseline',
      progress,
      ...(bootTimeBefore !== undefined ? { bootTimeBefore } : {}),
      stdout: outputHead(context, 'stdout'),
      stderr: outputHead(context, 'stderr'),
      createdAt: Date.now(),
    });
    try {
      const result = await createCommandRunner().run(['sh', '-c', rebootCommand], { signal, env: { TEND_SYSTEM_ROOT: path.resolve(systemRoot) } });
      if (result.exitCode !== 0) {
        await removeRebootHandoff(options.stateDir, invocationId);
        const detail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-3).join(' ');
        return { rebooted: false, problem: `The reboot command (${rebootCommand}) exited with ${result.exitCode}${detail ? `: ${detail}` : ''}; the node still needs a reboot` };
      }
      const deadline = Date.now() + rebootWaitMs;
      while (Date.now() < deadline) {
        const facts = await backend.rebootFacts(signal);
        const bootedAgain = bootTimeBefore !== undefined && facts.lastBootTime !== undefined && facts.lastBootTime > bootTimeBefore;
        if (!facts.required || bootedAgain) {
          await removeRebootHandoff(options.stateDir, invocationId);
          return { rebooted: true };
        }
        await delay(rebootPollMs, undefined, { signal });
      }
      await removeRebootHandoff(options.stateDir, invocationId);
      return { rebooted: false, problem: `The node still needs a reboot ${Math.round(rebootWaitMs / 1000)} s after the reboot command (${rebootCommand}) succeeded` };
    } catch (err) {
      if (!signal.aborted) {
        await removeRebootHandoff(options.stateDir, invocationId);
        throw err;
      }
      // The runner aborts with 'cancel' or 'deadline' for those; anything else is the agent going down, most likely for the reboot itself.
      const reason: unknown = signal.reason;
      if (reason === 'cancel' || reason === 'deadline') {
        await removeRebootHandoff(options.stateDir, invocationId);
        throw err;
      }
      context.logger.info('agent stopping during the patch reboot; the next agent process finishes the operation');
      return 'handed-off';
    }
  }

  function resume(record: InvocationRecord): Promise<InvocationResultFrame | undefined> | undefined {
    if (!hasRebootHandoff(options.stateDir, record.invocationId)) return undefined;
    return (async () => {
      const handoff = await readRebootHandoff(options.stateDir, record.invocationId);
      const signal = options.signal ?? new AbortController().signal;
      let stdout = handoff.stdout;
      let stderr = handoff.stderr;
      const write: PatchOutputWriter = (stream, text) => {
        if (stream === 'stdout') stdout += text;
        else stderr += text;
      };
      let outcome: PatchOutcome;
      try {
        const node = await openNode(undefined);
        const facts = await rescan(handoff.progress.request, { backend: node.backend, signal, now });
        const bootedAgain = handoff.bootTimeBefore !== undefined && facts.reboot?.lastBootTime !== undefined && facts.reboot.lastBootTime > handoff.bootTimeBefore;
        const rebooted = bootedAgain || facts.reboot?.required !== true;
        write('stdout', rebooted ? 'The node is back from its reboot.\n' : 'The agent restarted, but the node has not rebooted.\n');
        outcome = completePatchOperation(handoff.progress, facts, {
          rebooted,
          ...(rebooted ? {} : { rebootProblem: 'The agent restarted during the reboot, but the node did not reboot and still needs one' }),
          now: now(),
          write,
        });
      } catch (err) {
        // Stopping again before the rescan is over: the next start picks it up.
        if (signal.aborted) return undefined;
        await removeRebootHandoff(options.stateDir, record.invocationId);
        throw new Error(`finishing the patch operation after the reboot failed: ${errorMessage(err)}`);
      }
      await removeRebootHandoff(options.stateDir, record.invocationId);
      logger.info('patch operation finished after the reboot', { invocationId: record.invocationId, status: outcome.status });
      const responseCode = outcome.status === 'Success' ? 0 : NOT_RUN_RESPONSE_CODE;
      const frame: InvocationResultFrame = {
        v: AGENT_PROTOCOL_VERSION,
        type: 'invocation.result',
        invocationId: record.invocationId,
        status: outcome.status,
        responseCode,
        steps: [
          {
            name: handoff.stepName,
            status: outcome.status,
            responseCode,
            stdout: stdout.slice(0, RESULT_OUTPUT_CHARS),
            stderr: stderr.slice(0, RESULT_OUTPUT_CHARS),
            outputTruncated: stdout.length > RESULT_OUTPUT_CHARS || stderr.length > RESULT_OUTPUT_CHARS,
          },
        ],
        startedAt: record.startedAt,
        endedAt: Date.now(),
        reports: [{ step: handoff.stepName, kind: outcome.report.kind, data: outcome.report.data }],
      };
      if (outcome.message) frame.message = outcome.message.slice(0, 1_000);
      return frame;
    })();
  }

  return { name: RUN_PATCH_BASELINE_ACTION, run, resume };
}

function resultOf(outcome: PatchOutcome, startedAt: number): PluginResult {
  return {
    status: outcome.status,
    responseCode: outcome.status === 'Success' ? 0 : NOT_RUN_RESPONSE_CODE,
    ...(outcome.message ? { message: outcome.message } : {}),
    startedAt,
    endedAt: Date.now(),
    report: outcome.report,
  };
}

function stopped(startedAt: number, message: string): PluginResult {
  return { status: 'Cancelled', responseCode: STOPPED_PREEMPTIVELY_RESPONSE_CODE, message, startedAt, endedAt: Date.now() };
}

function outputHead(context: PluginContext, stream: 'stdout' | 'stderr'): string {
  return context.output.head(stream, RESULT_OUTPUT_CHARS);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Where InstallOverrideList and BaselineOverride may point: an absolute path
 * on the managed system, or an http(s) URL. Systems Manager also takes s3://
 * URLs, which need AWS: Tend says so instead of guessing.
 */
export function readPatchText(runner: CommandRunner): ReadPatchText {
  return async (location, what, signal) => {
    if (/^https?:\/\//i.test(location)) {
      const response = await fetch(location, { signal: AbortSignal.any([signal, AbortSignal.timeout(60_000)]) });
      if (!response.ok) throw new Error(`${what}: GET ${location} answered ${response.status} ${response.statusText}`);
      const text = await response.text();
      if (Buffer.byteLength(text) > MAX_OVERRIDE_BYTES) throw new Error(`${what}: ${location} is larger than ${MAX_OVERRIDE_BYTES} bytes`);
      return text;
    }
    if (/^s3:\/\//i.test(location)) throw new Error(`${what}: s3:// URLs need AWS; give Tend an https:// URL, an absolute path on the node, or the content itself.`);
    if (location.startsWith('/')) {
      try {
        return await readFile(await runner.hostPath(location), 'utf8');
      } catch (err) {
        throw new Error(`${what}: cannot read ${location} on the node: ${errorMessage(err)}`);
      }
    }
    throw new Error(`${what} must be the content itself, an absolute path on the node or an https:// URL.`);
  };
}
