import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import {
  AGENT_FEATURES,
  AGENT_PROTOCOL_VERSION,
  DEFAULT_OUTPUT_CHUNK_CHARS,
  RESULT_OUTPUT_CHARS,
  invocationCancelFrame,
  invocationResultAckFrame,
  invocationStartFrame,
  type AgentFrame,
  type InvocationResultFrame,
  type InvocationStartFrame,
  type InvocationStatus,
  type InvocationStep,
  type StepReport,
  type StepResult,
} from '@tend/protocol';
import type { FrameContext, FrameHandlers } from '../frame-handlers.js';
import { chunks } from '../invocations/invocation-runner.js';
import { createSimulatedBackend, type SimulatedPackageBackend } from '../patch/simulated/simulated-backend.js';
import { NOT_RUN_RESPONSE_CODE, STOPPED_PREEMPTIVELY_RESPONSE_CODE } from '../plugins/plugin.js';
import { runPatchStep } from '../plugins/run-patch-baseline/patch-operation.js';
import { RUN_PATCH_BASELINE_ACTION } from '../plugins/run-patch-baseline/run-patch-baseline.js';
import { RUN_SHELL_SCRIPT_ACTION } from '../plugins/run-shell-script/run-shell-script.js';

/** Every line a simulated node writes starts with this, so no one mistakes it for a real run. */
export const SIM_OUTPUT_PREFIX = '[tend sim]';
/** Exit code of a node chosen to fail by `failRate`. */
export const SIM_FAILURE_EXIT_CODE = 1;

export interface SimCommandOptions {
  /**
   * Simulated run time of every step in ms, plus the seconds of any `sleep N`
   * line of a script (default 10: about what the real aws:runShellScript
   * plugin takes for `true`, a script file and a shell).
   */
  stepDelayMs?: number;
  /**
   * Fraction (0–1) of nodes whose steps fail with exit code 1, chosen by
   * instance id, so the same nodes fail on every command (default 0).
   */
  failRate?: number;
  /**
   * Acknowledged results remembered per node, so a late duplicate start gets
   * its result and is not run again (default 2: a fleet of thousands keeps
   * them all in one process, and after an acknowledgement a duplicate is rare).
   */
  rememberAcknowledged?: number;
}

/** Why an invocation's controller was aborted. */
type StopReason = 'cancel' | 'simulator-stopping';

type Entry =
  | { state: 'running'; controller: AbortController }
  | { state: 'finished'; result: InvocationResultFrame; acked: boolean };

/** One simulated node's invocations and the connection its frames go out on (the latest one that spoke). */
interface NodeInvocations {
  context: FrameContext;
  entries: Map<string, Entry>;
}

/** What a simulated step prints and how it ends. */
interface SimulatedStep {
  stdout: string;
  stderr: string;
  exitCode: number;
  durationMs: number;
  /** Structured data for the server (an aws:runPatchBaseline report), as a real plugin returns it. */
  report?: { kind: string; data: unknown };
}

/** Which simulated machine a node is: its platform (apps/agent/src/sim/platforms.ts) and its index in the fleet. */
export interface SimNodeMachine {
  platformKey: string;
  index: number;
}

/**
 * Run Command for `tend sim`: answers the invocation frames the way the
 * real agent's InvocationRunner does (accepted, output, result kept until
 * acknowledged and re-sent after a reconnection, idempotent duplicate
 * starts, Cancelled / TimedOut with code 137), but runs nothing: each step
 * is a timer and a few lines of output saying what a real node would have
 * run. Nothing touches the disk and nothing is spawned, so thousands of
 * nodes can share one process and one instance of this class (one
 * FrameHandlers registry for the whole simulator; state is keyed by the
 * instance id the FrameContext carries).
 *
 * Unlike the real agent, a simulator that stops forgets its invocations:
 * running ones end without a result, and the server treats them as it
 * treats any agent that went away.
 */
export class SimInvocations {
  private readonly nodes = new Map<string, NodeInvocations>();
  private readonly machines = new Map<string, SimNodeMachine>();
  /** Each node's package manager, created at its first patch operation and kept, so installs persist. */
  private readonly packageBackends = new Map<string, SimulatedPackageBackend>();
  private readonly stepDelayMs: number;
  private readonly failRate: number;
  private readonly rememberAcknowledged: number;

  constructor(options: SimCommandOptions & { signal: AbortSignal }) {
    this.stepDelayMs = options.stepDelayMs ?? 10;
    this.failRate = options.failRate ?? 0;
    this.rememberAcknowledged = options.rememberAcknowledged ?? 2;
    if (!(this.stepDelayMs >= 0)) throw new Error('stepDelayMs must be zero or more');
    if (!(this.failRate >= 0 && this.failRate <= 1)) throw new Error('failRate must be between 0 and 1');
    // One listener for the whole fleet rather than one per invocation on the simulator's shared signal.
    options.signal.addEventListener('abort', () => this.stopAll(), { once: true });
  }

  /** Wires the simulated invocations into the registry every simulated connection shares. */
  register(handlers: FrameHandlers): this {
    handlers.on('invocation.start', invocationStartFrame, (frame, context) => this.start(frame, context));
    handlers.on('invocation.cancel', invocationCancelFrame, (frame, context) => this.cancel(frame.invocationId, context));
    handlers.on('invocation.result.ack', invocationResultAckFrame, (frame, context) => this.acknowledge(frame.invocationId, context));
    handlers.onOnline((context) => this.online(context));
    return this;
  }

  private failureLine(): string {
    return `${SIM_OUTPUT_PREFIX} simulated failure: this node is among the ${this.failRate} share of the fleet set to fail\n`;
  }

  /** Tells which machine a node is, so aws:runPatchBaseline runs on the packages of its platform. */
  addNode(instanceId: string, machine: SimNodeMachine): void {
    this.machines.set(instanceId, machine);
  }

  /** Whether `instanceId` is among the nodes `failRate` makes fail: a stable draw from its id. */
  fails(instanceId: string): boolean {
    if (this.failRate === 0) return false;
    return createHash('sha256').update(instanceId).digest().readUInt32BE(0) / 2 ** 32 < this.failRate;
  }

  /** The node's state with `context` as its current connection; created on its first invocation. */
  private node(context: FrameContext): NodeInvocations {
    let node = this.nodes.get(context.instanceId);
    if (!node) this.nodes.set(context.instanceId, (node = { context, entries: new Map() }));
    node.context = context;
    return node;
  }

  private send(node: NodeInvocations, frame: AgentFrame): void {
    node.context.send(frame);
  }

  private online(context: FrameContext): void {
    // A server without the feature closes the connection on frames it does not know: volunteer nothing to it.
    if (!context.features?.includes(AGENT_FEATURES.invocations)) return;
    context.send({ v: AGENT_PROTOCOL_VERSION, type: 'pending.request' });
    // Only nodes that ran something have state; the rest of the fleet costs nothing here.
    const node = this.nodes.get(context.instanceId);
    if (!node) return;
    node.context = context;
    for (const entry of node.entries.values()) if (entry.state === 'finished' && !entry.acked) context.send(entry.result);
  }

  private start(frame: InvocationStartFrame, context: FrameContext): void {
    const node = this.node(context);
    const existing = node.entries.get(frame.invocationId);
    if (existing?.state === 'running') return this.send(node, { v: AGENT_PROTOCOL_VERSION, type: 'invocation.accepted', invocationId: frame.invocationId });
    if (existing?.state === 'finished') return this.send(node, existing.result);
    const controller = new AbortController();
    node.entries.set(frame.invocationId, { state: 'running', controller });
    this.send(node, { v: AGENT_PROTOCOL_VERSION, type: 'invocation.accepted', invocationId: frame.invocationId });
    this.execute(node, frame, controller.signal).catch((err: unknown) => {
      // execute expects no failure; if one happens anyway the invocation must still end.
      context.logger.error('simulated invocation failed unexpectedly', { instanceId: context.instanceId, invocationId: frame.invocationId, err });
      const now = Date.now();
      this.finish(node, resultFrame(frame.invocationId, 'Failed', NOT_RUN_RESPONSE_CODE, [], now, now, `Simulator error: ${String(err)}`));
    });
  }

  private cancel(invocationId: string, context: FrameContext): void {
    const node = this.node(context);
    const entry = node.entries.get(invocationId);
    if (entry?.state === 'running') entry.controller.abort('cancel' satisfies StopReason);
    // Already over: the result tells the server the cancel came too late.
    else if (entry?.state === 'finished') this.send(node, entry.result);
  }

  private acknowledge(invocationId: string, context: FrameContext): void {
    const node = this.node(context);
    const entry = node.entries.get(invocationId);
    if (entry?.state !== 'finished') return; // An ack cannot precede the result; ignore a confused one.
    entry.acked = true;
    const acked = [...node.entries].filter(([, e]) => e.state === 'finished' && e.acked);
    for (const [id] of acked.slice(0, Math.max(0, acked.length - this.rememberAcknowledged))) node.entries.delete(id);
  }

  private stopAll(): void {
    for (const node of this.nodes.values()) {
      for (const entry of node.entries.values()) if (entry.state === 'running') entry.controller.abort('simulator-stopping' satisfies StopReason);
    }
  }

  private async execute(node: NodeInvocations, frame: InvocationStartFrame, signal: AbortSignal): Promise<void> {
    const { invocationId, executionDeadline } = frame;
    const chunkChars = frame.outputChunkChars ?? DEFAULT_OUTPUT_CHUNK_CHARS;
    const failing = this.fails(node.context.instanceId);
    const startedAt = Date.now();
    const steps: StepResult[] = [];
    const reports: StepReport[] = [];
    let seq = 0;
    let status: InvocationStatus = 'Success';
    let responseCode = 0;
    let message: string | undefined;
    const emit = (step: string, stream: 'stdout' | 'stderr', text: string) => {
      for (const data of chunks(text, chunkChars)) this.send(node, { v: AGENT_PROTOCOL_VERSION, type: 'invocation.output', invocationId, step, stream, seq: seq++, data });
    };

    for (const step of frame.steps) {
      if (Date.now() >= executionDeadline) {
        // As the real runner does: a step that never started is not listed; the message says why.
        status = 'TimedOut';
        responseCode = STOPPED_PREEMPTIVELY_RESPONSE_CODE;
        message = `The execution deadline passed before step ${step.name} started.`;
        break;
      }
      const simulated = step.action === RUN_PATCH_BASELINE_ACTION ? await this.simulatePatch(node.context.instanceId, step, signal, failing) : this.simulate(step, failing);
      emit(step.name, 'stdout', simulated.stdout);
      const left = executionDeadline - Date.now();
      const ranOut = simulated.durationMs > left;
      const stopped = await pause(Math.min(simulated.durationMs, left), signal);
      if (stopped === 'simulator-stopping') {
        node.entries.delete(invocationId);
        return;
      }
      let stepStatus: InvocationStatus;
      let stepCode: number;
      if (stopped === 'cancel' || ranOut) {
        stepStatus = stopped === 'cancel' ? 'Cancelled' : 'TimedOut';
        stepCode = STOPPED_PREEMPTIVELY_RESPONSE_CODE;
      } else {
        emit(step.name, 'stderr', simulated.stderr);
        stepStatus = simulated.exitCode === 0 ? 'Success' : 'Failed';
        stepCode = simulated.exitCode;
      }
      const stderr = stepStatus === 'Success' || stepStatus === 'Failed' ? simulated.stderr : '';
      steps.push({
        name: step.name,
        status: stepStatus,
        responseCode: stepCode,
        stdout: simulated.stdout.slice(0, RESULT_OUTPUT_CHARS),
        stderr: stderr.slice(0, RESULT_OUTPUT_CHARS),
        outputTruncated: simulated.stdout.length > RESULT_OUTPUT_CHARS || stderr.length > RESULT_OUTPUT_CHARS,
      });
      if (simulated.report && (stepStatus === 'Success' || stepStatus === 'Failed')) reports.push({ step: step.name, ...simulated.report });
      status = stepStatus;
      responseCode = stepCode;
      // As in Systems Manager's command documents: the first step that does not succeed ends the invocation.
      if (stepStatus !== 'Success') break;
    }
    const result = resultFrame(invocationId, status, responseCode, steps, startedAt, Date.now(), message);
    if (reports.length > 0) result.reports = reports;
    this.finish(node, result);
  }

  /** Stores the result until acknowledged (moved last, so the oldest acknowledged ones are forgotten first) and sends it. */
  private finish(node: NodeInvocations, result: InvocationResultFrame): void {
    node.entries.delete(result.invocationId);
    node.entries.set(result.invocationId, { state: 'finished', result, acked: false });
    this.send(node, result);
  }

  /**
   * aws:runPatchBaseline on the node's simulated package manager, through
   * the real plugin's code (runPatchStep): the same inputs, evaluation,
   * install, summary and report. A reboot is the backend's simulated one.
   */
  private async simulatePatch(instanceId: string, step: InvocationStep, signal: AbortSignal, failing: boolean): Promise<SimulatedStep> {
    // A node set to fail fails its patching too (and reports nothing, as a node whose package manager broke).
    if (failing) return { stdout: '', stderr: this.failureLine(), exitCode: SIM_FAILURE_EXIT_CODE, durationMs: this.stepDelayMs };
    const machine = this.machines.get(instanceId);
    if (!machine) return notRun(`${SIM_OUTPUT_PREFIX} this simulated node has no platform to patch.`);
    let backend = this.packageBackends.get(instanceId);
    if (!backend) this.packageBackends.set(instanceId, (backend = createSimulatedBackend({ platformKey: machine.platformKey, nodeIndex: machine.index })));
    const simulated = backend;
    const out = { stdout: '', stderr: '' };
    const result = await runPatchStep(step.inputs, {
      backend: simulated,
      platform: { operatingSystem: simulated.operatingSystem, product: simulated.product },
      readText: async (location, what) => {
        throw new Error(`${what}: a simulated node has no files and no network to read ${location} from; give the content inline.`);
      },
      signal,
      now: Date.now,
      write: (stream, text) => (out[stream] += text),
      reboot: async () => {
        simulated.simulateReboot();
        return { rebooted: true };
      },
    });
    const prefixed = (text: string) => text.replace(/^(?=.)/gm, `${SIM_OUTPUT_PREFIX} `);
    const base = { stdout: prefixed(out.stdout), stderr: prefixed(out.stderr), durationMs: this.stepDelayMs };
    switch (result.status) {
      case 'NotRun':
        return notRun(result.message);
      case 'Stopped':
      case 'HandedOff':
        // Only a cancel stops a simulated operation; the pause that follows reports it.
        return { ...base, exitCode: STOPPED_PREEMPTIVELY_RESPONSE_CODE, durationMs: 0 };
      case 'Error':
        return { ...base, exitCode: NOT_RUN_RESPONSE_CODE };
      default:
        return { ...base, exitCode: result.status === 'Success' ? 0 : NOT_RUN_RESPONSE_CODE, report: result.report };
    }
  }

  /** What a step would print and how long it would take; aws:runShellScript is simulated here, aws:runPatchBaseline by simulatePatch. */
  private simulate(step: InvocationStep, failing: boolean): SimulatedStep {
    if (step.action !== RUN_SHELL_SCRIPT_ACTION) {
      return notRun(`Unknown plugin action "${step.action}": this simulated node supports ${RUN_SHELL_SCRIPT_ACTION} and ${RUN_PATCH_BASELINE_ACTION}.`);
    }
    const raw = step.inputs.runCommand ?? step.inputs.commands;
    const commands = typeof raw === 'string' ? [raw] : raw;
    if (!Array.isArray(commands) || commands.length === 0 || !commands.every((line) => typeof line === 'string')) {
      return notRun('Input runCommand must be a non-empty list of strings.');
    }
    const lines = commands.join('\n').split('\n').filter((line) => line.trim() !== '');
    // `sleep N` takes N seconds here too, so cancel and execution timeouts can be shown on a simulated fleet.
    const sleptMs = lines.reduce((sum, line) => sum + Number(/^\s*sleep\s+(\d+(?:\.\d+)?)\s*;?\s*$/.exec(line)?.[1] ?? 0) * 1000, 0);
    return {
      stdout: lines.map((line) => `${SIM_OUTPUT_PREFIX} would run: ${line}\n`).join(''),
      stderr: failing ? this.failureLine() : '',
      exitCode: failing ? SIM_FAILURE_EXIT_CODE : 0,
      durationMs: this.stepDelayMs + sleptMs,
    };
  }
}

function notRun(reason: string): SimulatedStep {
  return { stdout: '', stderr: `${reason}\n`, exitCode: NOT_RUN_RESPONSE_CODE, durationMs: 0 };
}

/** Longest delay a timer honours (about 24.8 days); a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Waits `ms`, or less if `signal` aborts first; says why it stopped early. */
async function pause(ms: number, signal: AbortSignal): Promise<StopReason | undefined> {
  if (!signal.aborted) {
    try {
      await delay(Math.min(Math.max(0, ms), MAX_TIMER_MS), undefined, { signal });
    } catch {
      // Aborted: the reason below says by whom.
    }
  }
  return signal.aborted ? (signal.reason as StopReason) : undefined;
}

function resultFrame(
  invocationId: string,
  status: InvocationStatus,
  responseCode: number,
  steps: StepResult[],
  startedAt: number,
  endedAt: number,
  message?: string,
): InvocationResultFrame {
  return { v: AGENT_PROTOCOL_VERSION, type: 'invocation.result', invocationId, status, responseCode, steps, startedAt, endedAt, ...(message !== undefined && { message }) };
}
