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
  type StepReport,
  type StepResult,
} from '@tend/protocol';
import type { FrameContext, FrameHandlers } from '../frame-handlers.js';
import { silentLogger, type Logger } from '../logger.js';
import { OutputSink, type OutputStream } from '../plugins/output-sink.js';
import { NOT_RUN_RESPONSE_CODE, STOPPED_PREEMPTIVELY_RESPONSE_CODE, type PluginRegistry } from '../plugins/plugin.js';
import { InvocationStore, type InvocationRecord } from './invocation-store.js';

/** What the server is told about an invocation whose agent died (or was stopped) while it ran. */
export const AGENT_RESTARTED_MESSAGE = 'The agent restarted while the command ran; its outcome is unknown.';

/** Largest delay setTimeout honours; longer deadlines are re-armed. */
const MAX_TIMER_MS = 2_147_483_647;

export interface InvocationRunnerOptions {
  /** The agent's state dir: in-flight records, scratch scripts and spilled output go under it. */
  stateDir: string;
  plugins: PluginRegistry;
  logger?: Logger;
  /** Finished, acknowledged results remembered so a late duplicate start is answered, not re-run (default 1,000). */
  rememberFinished?: number;
  /**
   * Asked at load() about each invocation a previous process left
   * unfinished. A promise claims it: the invocation counts as running until
   * the promise gives its result (or undefined: leave the record for a later
   * start), instead of being reported as interrupted. Used by an agent
   * update, whose outcome is only known once the new agent has connected.
   */
  resume?: (record: InvocationRecord) => Promise<InvocationResultFrame | undefined> | undefined;
}

/** Why an invocation's controller was aborted. */
type StopReason = 'cancel' | 'deadline' | 'agent-stopping';

type Entry =
  | { state: 'running'; controller: AbortController; task: Promise<void> }
  | { state: 'finished'; result: InvocationResultFrame; acked: boolean };

/**
 * Runs Run Command invocations on this node (issue 4, agent side).
 *
 * Idempotency is by invocation id: the server may send a start twice (a
 * retry after a reconnect, a replica that re-delivers), and the answer is
 * the running invocation's `accepted` or the finished one's stored result,
 * never a second run. Results stay on disk until the server acknowledges
 * them, and are offered again on every reconnection, so a result sent into a
 * dying socket is not lost. An in-flight record without a result at start-up
 * means the previous agent process died mid-command: it becomes a Failed
 * result, reported once (the server acknowledges it like any other).
 */
export class InvocationRunner {
  private readonly entries = new Map<string, Entry>();
  private readonly store: InvocationStore;
  private readonly logger: Logger;
  private readonly rememberFinished: number;
  /** The connection frames go out on: the latest that delivered a frame or came online. Invocations outlive connections. */
  private context: FrameContext | undefined;

  constructor(private readonly options: InvocationRunnerOptions) {
    this.store = new InvocationStore(options.stateDir);
    this.logger = options.logger ?? silentLogger;
    this.rememberFinished = options.rememberFinished ?? 1_000;
  }

  /** Reads the state dir before the agent connects: unacknowledged results, and invocations a previous process left unfinished. */
  async load(): Promise<void> {
    const records = await this.store.list((file, problem) => this.logger.warn('ignoring unreadable invocation record', { file, problem }));
    for (const record of records) {
      if (this.entries.has(record.invocationId)) continue;
      let result = record.result;
      const resumed = result ? undefined : this.options.resume?.(record);
      if (resumed) {
        this.resumeInvocation(record, resumed);
        continue;
      }
      if (!result) {
        result = {
          v: AGENT_PROTOCOL_VERSION,
          type: 'invocation.result',
          invocationId: record.invocationId,
          status: 'Failed',
          responseCode: NOT_RUN_RESPONSE_CODE,
          steps: [],
          startedAt: record.startedAt,
          endedAt: Date.now(),
          message: AGENT_RESTARTED_MESSAGE,
        };
        this.logger.warn('an invocation was interrupted by an agent restart; reporting it as Failed', {
          invocationId: record.invocationId,
          commandId: record.commandId,
        });
        await this.store.save({ ...record, result });
      }
      this.entries.set(record.invocationId, { state: 'finished', result, acked: false });
    }
  }

  /** An invocation another part of the agent finishes (see InvocationRunnerOptions.resume). */
  private resumeInvocation(record: InvocationRecord, resumed: Promise<InvocationResultFrame | undefined>): void {
    const { invocationId } = record;
    const task = resumed.then(
      async (result) => {
        if (result) await this.finish(result, record);
        else this.entries.delete(invocationId);
      },
      async (err: unknown) => {
        this.logger.error('resuming an invocation failed', { invocationId, err });
        const now = Date.now();
        const message = `Agent error: ${err instanceof Error ? err.message : String(err)}`;
        await this.finish(this.resultFrame(invocationId, 'Failed', NOT_RUN_RESPONSE_CODE, [], record.startedAt, now, message), record);
      },
    );
    // Running as far as duplicates and cancels are concerned: a re-delivered start is answered `accepted`.
    this.entries.set(invocationId, { state: 'running', controller: new AbortController(), task });
  }

  /** Wires the runner into a connection's frame registry. */
  register(handlers: FrameHandlers): this {
    handlers.on('invocation.start', invocationStartFrame, (frame, context) => this.start(frame, context));
    handlers.on('invocation.cancel', invocationCancelFrame, (frame, context) => {
      this.context = context;
      this.cancel(frame.invocationId);
    });
    handlers.on('invocation.result.ack', invocationResultAckFrame, (frame, context) => {
      this.context = context;
      return this.acknowledge(frame.invocationId);
    });
    handlers.onOnline((context) => this.online(context));
    return this;
  }

  /** Ids of invocations running now. */
  running(): string[] {
    return [...this.entries].filter(([, entry]) => entry.state === 'running').map(([id]) => id);
  }

  /** Results the server has not acknowledged yet. */
  unacknowledged(): InvocationResultFrame[] {
    return [...this.entries.values()].flatMap((entry) => (entry.state === 'finished' && !entry.acked ? [entry.result] : []));
  }

  /** Resolves once nothing runs; the agent awaits it on shutdown so process trees are gone before it exits. */
  async drain(): Promise<void> {
    for (;;) {
      const tasks = [...this.entries.values()].flatMap((entry) => (entry.state === 'running' ? [entry.task] : []));
      if (tasks.length === 0) return;
      await Promise.allSettled(tasks);
    }
  }

  private send(frame: AgentFrame): boolean {
    return this.context?.send(frame) ?? false;
  }

  private online(context: FrameContext): void {
    this.context = context;
    // An older server closes the connection on frame types it does not handle: volunteer nothing to it.
    if (!context.features?.includes(AGENT_FEATURES.invocations)) return;
    context.send({ v: AGENT_PROTOCOL_VERSION, type: 'pending.request' });
    for (const result of this.unacknowledged()) context.send(result);
  }

  private start(frame: InvocationStartFrame, context: FrameContext): void {
    this.context = context;
    const { invocationId } = frame;
    const existing = this.entries.get(invocationId);
    if (existing?.state === 'running') {
      this.send({ v: AGENT_PROTOCOL_VERSION, type: 'invocation.accepted', invocationId });
      return;
    }
    if (existing?.state === 'finished') {
      this.send(existing.result);
      return;
    }
    // Claimed synchronously, before any await, so a duplicate arriving meanwhile finds it.
    const controller = new AbortController();
    const entry: Entry = { state: 'running', controller, task: Promise.resolve() };
    this.entries.set(invocationId, entry);
    this.send({ v: AGENT_PROTOCOL_VERSION, type: 'invocation.accepted', invocationId });
    entry.task = this.execute(frame, controller, context.signal).catch((err) => {
      // execute handles expected failures itself; this is a bug, but the invocation must still end.
      this.logger.error('invocation failed unexpectedly', { invocationId, err });
      const now = Date.now();
      return this.finish(this.resultFrame(invocationId, 'Failed', NOT_RUN_RESPONSE_CODE, [], now, now, `Agent error: ${err instanceof Error ? err.message : String(err)}`), undefined);
    });
  }

  private cancel(invocationId: string): void {
    const entry = this.entries.get(invocationId);
    if (entry?.state === 'running') {
      this.logger.info('cancelling invocation', { invocationId });
      entry.controller.abort('cancel' satisfies StopReason);
    } else if (entry?.state === 'finished') {
      // Already over: the result tells the server the cancel came too late.
      this.send(entry.result);
    } else {
      this.logger.debug('cancel for an invocation this agent does not know', { invocationId });
    }
  }

  private async acknowledge(invocationId: string): Promise<void> {
    const entry = this.entries.get(invocationId);
    if (entry?.state === 'running') return; // An ack cannot precede the result; ignore a confused one.
    if (entry?.state === 'finished') entry.acked = true;
    await this.store.remove(invocationId);
    this.forgetOldAcknowledged();
  }

  private forgetOldAcknowledged(): void {
    const acked = [...this.entries].filter(([, entry]) => entry.state === 'finished' && entry.acked);
    for (const [id] of acked.slice(0, Math.max(0, acked.length - this.rememberFinished))) this.entries.delete(id);
  }

  private async execute(frame: InvocationStartFrame, controller: AbortController, agentSignal: AbortSignal): Promise<void> {
    const { invocationId } = frame;
    const logger = this.logger.child({ invocationId, commandId: frame.commandId });
    const startedAt = Date.now();
    const record: InvocationRecord = {
      invocationId,
      commandId: frame.commandId,
      documentName: frame.documentName,
      stepNames: frame.steps.map((step) => step.name),
      startedAt,
      executionDeadline: frame.executionDeadline,
    };
    try {
      await this.store.save(record);
    } catch (err) {
      // Without the record a crash mid-command would go unreported: refuse rather than run unrecorded.
      logger.error('could not record the invocation; not running it', { err });
      const message = `The agent could not record the invocation in its state dir: ${err instanceof Error ? err.message : String(err)}`;
      return this.finish(this.resultFrame(invocationId, 'Failed', NOT_RUN_RESPONSE_CODE, [], startedAt, Date.now(), message), undefined);
    }
    logger.info('running invocation', { documentName: frame.documentName, steps: record.stepNames });

    const stopForAgent = () => controller.abort('agent-stopping' satisfies StopReason);
    if (agentSignal.aborted) stopForAgent();
    else agentSignal.addEventListener('abort', stopForAgent, { once: true });
    const deadlineTimer = this.armDeadline(frame.executionDeadline, controller);
    const reason = () => (controller.signal.aborted ? (controller.signal.reason as StopReason) : undefined);

    const chunkChars = frame.outputChunkChars ?? DEFAULT_OUTPUT_CHUNK_CHARS;
    let seq = 0;
    const steps: StepResult[] = [];
    const reports: StepReport[] = [];
    let status: InvocationStatus = 'Success';
    let responseCode = 0;
    let message: string | undefined;
    /** Stopped because the agent is going down: no result now, the next start reports it. */
    let interrupted = false;
    /** A plugin passed the step on to the next agent process (an agent update): that process reports it. */
    let handedOff = false;
    try {
      for (const step of frame.steps) {
        const stopped = reason();
        if (stopped === 'agent-stopping') {
          interrupted = true;
          break;
        }
        if (stopped || Date.now() >= frame.executionDeadline) {
          // Steps not started are not listed; the invocation status says why they did not run.
          status = stopped === 'cancel' ? 'Cancelled' : 'TimedOut';
          responseCode = STOPPED_PREEMPTIVELY_RESPONSE_CODE;
          message = status === 'Cancelled' ? `Cancelled before step ${step.name} started.` : `The execution deadline passed before step ${step.name} started.`;
          break;
        }
        const sink = new OutputSink({ spillDir: this.options.stateDir });
        sink.onData((stream, text) => {
          for (const data of chunks(text, chunkChars)) {
            this.send({ v: AGENT_PROTOCOL_VERSION, type: 'invocation.output', invocationId, step: step.name, stream, seq: seq++, data });
          }
        });
        try {
          const result = await this.options.plugins.run(step.action, step.inputs, {
            signal: controller.signal,
            deadline: frame.executionDeadline,
            logger: logger.child({ step: step.name }),
            output: sink,
            env: step.env ?? {},
            scratchDir: this.options.stateDir,
            invocationId,
            stepName: step.name,
          });
          sink.end();
          if (result.handedOff || (result.status === 'Cancelled' && reason() === 'agent-stopping')) {
            interrupted = true;
            handedOff = result.handedOff === true;
            break;
          }
          // Our own deadline timer aborts like a cancel; the server must see it as the timeout it was.
          const stepStatus = result.status === 'Cancelled' && reason() === 'deadline' ? 'TimedOut' : result.status;
          steps.push({
            name: step.name,
            status: stepStatus,
            responseCode: result.responseCode,
            stdout: sink.head('stdout', RESULT_OUTPUT_CHARS),
            stderr: sink.head('stderr', RESULT_OUTPUT_CHARS),
            outputTruncated: truncated(sink, 'stdout') || truncated(sink, 'stderr'),
          });
          if (result.report) reports.push({ step: step.name, kind: result.report.kind, data: result.report.data });
          status = stepStatus;
          responseCode = result.responseCode;
          // As Systems Manager's command documents do by default: the first step that does not succeed ends the invocation.
          if (stepStatus !== 'Success') break;
        } finally {
          await sink.dispose();
        }
      }
    } finally {
      clearTimeout(deadlineTimer.current);
      agentSignal.removeEventListener('abort', stopForAgent);
    }

    if (interrupted) {
      // The agent is going down: the in-flight record stays, and the next start reports the invocation as interrupted.
      if (handedOff) logger.info('invocation handed over to the next agent process');
      else logger.warn('agent stopping; the invocation will be reported as interrupted on the next start');
      this.entries.delete(invocationId);
      return;
    }
    logger.info('invocation finished', { status, responseCode });
    const result = this.resultFrame(invocationId, status, responseCode, steps, startedAt, Date.now(), message);
    if (reports.length > 0) result.reports = reports;
    await this.finish(result, record);
  }

  /** Aborts `controller` at `deadline`, re-arming for deadlines beyond setTimeout's range. */
  private armDeadline(deadline: number, controller: AbortController): { current: NodeJS.Timeout | undefined } {
    const timer: { current: NodeJS.Timeout | undefined } = { current: undefined };
    const arm = () => {
      const left = deadline - Date.now();
      if (left <= 0) return controller.abort('deadline' satisfies StopReason);
      timer.current = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    };
    arm();
    return timer;
  }

  private resultFrame(
    invocationId: string,
    status: InvocationStatus,
    responseCode: number,
    steps: StepResult[],
    startedAt: number,
    endedAt: number,
    message?: string,
  ): InvocationResultFrame {
    const frame: InvocationResultFrame = { v: AGENT_PROTOCOL_VERSION, type: 'invocation.result', invocationId, status, responseCode, steps, startedAt, endedAt };
    if (message !== undefined) frame.message = message.slice(0, 1_000);
    return frame;
  }

  /** Stores the result (until acknowledged), remembers it for duplicates, and sends it if a connection is up. */
  private async finish(result: InvocationResultFrame, record: InvocationRecord | undefined): Promise<void> {
    const { invocationId } = result;
    if (record) {
      try {
        await this.store.save({ ...record, result });
      } catch (err) {
        // Still report it now; only a re-send after a restart is lost (the restart then reports Failed).
        this.logger.error('could not store an invocation result', { invocationId, err });
      }
    }
    this.entries.delete(invocationId); // Re-inserted last, so the oldest acknowledged results are forgotten first.
    this.entries.set(invocationId, { state: 'finished', result, acked: false });
    this.send(result);
  }
}

/** Whether a stream wrote more than the result carries inline. */
function truncated(sink: OutputSink, stream: OutputStream): boolean {
  return sink.truncated(stream) || sink.totalBytes(stream) > Buffer.byteLength(sink.head(stream, RESULT_OUTPUT_CHARS), 'utf8');
}

/** Splits text into pieces of at most `size` characters without cutting a surrogate pair in two. */
export function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < text.length) {
    let end = Math.min(at + size, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && end - at > 1 && last >= 0xd800 && last <= 0xdbff) end--;
    out.push(text.slice(at, end));
    at = end;
  }
  return out;
}
