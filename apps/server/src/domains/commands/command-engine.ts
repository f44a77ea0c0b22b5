import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { AGENT_PROTOCOL_VERSION, RESULT_OUTPUT_CHARS, type InvocationOutputFrame, type InvocationResultFrame, type ServerFrame, type StepReport } from '@tend/protocol';
import type { Database } from '../../storage/schema.js';
import type { SecretBox } from '../../security/secret-box.js';
import type { AgentConnections, InvocationFrameHandler } from '../../gateway/agent-gateway.js';
import { signalOutboxWritten } from '../../events/outbox-signal.js';
import { errorThresholdExceeded, nextActions, resolveRateLimit, summarize, type InvocationView } from './command-progress.js';
import { CANCELLED_DETAIL, invocationStatusFor, isTerminalDetail, type InvocationStatusDetails } from './command-status.js';
import { ACTIVE_COMMAND_STATUSES, type CommandRow, type CommandsStore, type InvocationRow, type InvocationState, type StoredPluginResult } from './commands.store.js';
import { COPIED_OUTPUT_BYTES, type CommandOutputStore, type OutputStream } from './command-output-store.js';
import { openPayload, type CommandPayload } from './command-payload.js';
import { maskHead, OutputMasker } from './output-masker.js';
import { COMMAND_STATUS_EVENT, INVOCATION_STATUS_EVENT, notifyCommandStatus, notifyInvocationStatus } from './command-notifications.js';

/** Records one kind of step report (InvocationResultFrame.reports) in the transaction that records the result. */
export type StepReportHandler = (
  trx: Kysely<Database>,
  report: { commandId: string; documentName: string; instanceId: string; step: string; data: unknown; now: number },
) => Promise<void>;

/** Inputs an action's steps get per node at send time (e.g. the patch baseline that applies to each node). */
export type NodeInputsResolver = (db: Kysely<Database>, instanceIds: string[], now: number) => Promise<Map<string, Record<string, unknown>>>;

export interface CommandEngineOptions {
  store: CommandsStore;
  secrets: SecretBox;
  agents: AgentConnections;
  output: CommandOutputStore;
  logger: Logger;
  clock: () => Date;
  /** How often every running command is looked at (deadlines, commands sent through another replica). Default 1 s. */
  tickMs?: number;
  /** A start or cancel the agent has not confirmed is sent again after this long. Default 15 s. */
  resendMs?: number;
  /** Replicas may share the database (PostgreSQL): a node connected to another one counts as reachable. */
  sharedDatabase?: boolean;
  /** Handlers of step reports by kind; a report of another kind is logged and dropped. */
  reportHandlers?: Record<string, StepReportHandler>;
  /** Per-node inputs by action (see NodeInputsResolver). */
  nodeInputs?: Record<string, NodeInputsResolver>;
}

/** The agent's result status → the invocation's StatusDetails. */
const DETAIL_FOR_RESULT: Record<InvocationResultFrame['status'], InvocationStatusDetails> = {
  Success: 'Success',
  Failed: 'Failed',
  TimedOut: 'Execution Timed Out',
  Cancelled: CANCELLED_DETAIL,
};

/** What arrived from agents for one command since the last pass. */
interface Inbound {
  accepted: Set<string>;
  results: Map<string, InvocationResultFrame>;
}

/** Invocation ids are `<commandId>.<instanceId>`: both ends can name one without a lookup. */
export function invocationIdOf(commandId: string, instanceId: string): string {
  return `${commandId}.${instanceId}`;
}

function parseInvocationId(invocationId: string): { commandId: string; instanceId: string } | undefined {
  const dot = invocationId.lastIndexOf('.');
  if (dot <= 0) return undefined;
  return { commandId: invocationId.slice(0, dot), instanceId: invocationId.slice(dot + 1) };
}

/** The payload's steps with the node's own inputs merged in, where it has any. */
function withNodeInputs(payload: CommandPayload, instanceId: string): CommandPayload['steps'] {
  const own = payload.nodeInputs?.[instanceId];
  if (!own) return payload.steps;
  return payload.steps.map((step) => (own[step.name] ? { ...step, inputs: { ...step.inputs, ...own[step.name] } } : step));
}

function viewOf(row: InvocationState): InvocationView {
  return {
    id: row.instance_id,
    status: row.status as InvocationView['status'],
    statusDetails: row.status_details as InvocationStatusDetails,
    startedAt: row.started_at ?? undefined,
    deliveryDeadline: row.delivery_deadline ?? undefined,
  };
}

function isTerminal(row: InvocationState): boolean {
  return isTerminalDetail(row.status_details as InvocationStatusDetails);
}

/**
 * Run Command's engine (issue 4): rate control, delivery to agents, results.
 *
 * The database is the truth and the delivery queue: a command is rows, and
 * every pass re-reads them, decides with the pure rules of command-progress.ts,
 * and writes the outcome in one transaction with its outbox events and
 * notifications, before any frame leaves. So a server restart loses nothing
 * (agents reconnect, ask for their work, and re-send unacknowledged results),
 * and a result is applied once: only to an invocation that is not finished,
 * and acknowledged only after the commit.
 *
 * A pass runs when something happens (SendCommand, CancelCommand, a frame
 * from an agent) and at every tick; passes never overlap in one process, and
 * on PostgreSQL replicas serialize per command with a row lock.
 */
export class CommandEngine implements InvocationFrameHandler {
  private readonly tickMs: number;
  private readonly resendMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private tickDue = true;
  /** Commands to look at in the next pass even if nothing arrived for them. */
  private readonly dirty = new Set<string>();
  private inbound = new Map<string, Inbound>();
  /** Nodes that (re)connected and asked for their work. */
  private readonly redeliver = new Set<string>();
  private readonly payloads = new Map<string, CommandPayload>();
  /** Invocations this process sent and that have not finished: the only ones whose output is accepted. */
  private readonly live = new Set<string>();
  private readonly lastSeq = new Map<string, number>();
  private readonly maskers = new Map<string, OutputMasker>();

  constructor(private readonly options: CommandEngineOptions) {
    this.tickMs = options.tickMs ?? 1000;
    this.resendMs = options.resendMs ?? 15_000;
  }

  get outputStore(): CommandOutputStore {
    return this.options.output;
  }

  get store(): CommandsStore {
    return this.options.store;
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.tickDue = true;
      this.kick();
      this.timer = setTimeout(tick, this.tickMs);
      this.timer.unref();
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Something changed for this command (sent, cancelled): look at it now. */
  wake(commandId: string): void {
    this.dirty.add(commandId);
    this.kick();
  }

  // -- frames from agents (InvocationFrameHandler) ---------------------------------------------

  pendingRequested(instanceId: string): void {
    this.redeliver.add(instanceId);
    this.kick();
  }

  accepted(instanceId: string, invocationId: string): void {
    const id = parseInvocationId(invocationId);
    if (!id || id.instanceId !== instanceId) return this.foreign(instanceId, invocationId);
    // Recorded at the next pass: an acceptance changes no decision, so it is not worth one of its own.
    this.inboundFor(id.commandId).accepted.add(instanceId);
  }

  result(instanceId: string, frame: InvocationResultFrame): void {
    const id = parseInvocationId(frame.invocationId);
    if (!id || id.instanceId !== instanceId) return this.foreign(instanceId, frame.invocationId);
    this.inboundFor(id.commandId).results.set(instanceId, frame);
    this.kick();
  }

  /**
   * Streamed output goes straight to the output store (no database write per
   * chunk), masked, in order, each chunk once: duplicates after a reconnection
   * carry a seq already seen.
   */
  output(instanceId: string, frame: InvocationOutputFrame): void {
    const id = parseInvocationId(frame.invocationId);
    if (!id || id.instanceId !== instanceId) return this.foreign(instanceId, frame.invocationId);
    if (!this.live.has(frame.invocationId)) return;
    const payload = this.payloads.get(id.commandId);
    if (!payload?.steps.some((s) => s.name === frame.step)) return;
    const last = this.lastSeq.get(frame.invocationId) ?? -1;
    if (frame.seq <= last) return;
    this.lastSeq.set(frame.invocationId, frame.seq);
    const text = this.maskerFor(frame.invocationId, frame.step, frame.stream, payload).push(frame.data);
    try {
      this.options.output.append(id.commandId, instanceId, frame.step, frame.stream, text);
    } catch (err) {
      // The result still carries the head of the output; only the full copy is lost.
      this.options.logger.error({ err, invocationId: frame.invocationId }, 'could not store command output');
    }
  }

  private foreign(instanceId: string, invocationId: string): void {
    this.options.logger.warn({ instanceId, invocationId }, "ignoring a frame about another node's invocation");
  }

  private inboundFor(commandId: string): Inbound {
    let entry = this.inbound.get(commandId);
    if (!entry) this.inbound.set(commandId, (entry = { accepted: new Set(), results: new Map() }));
    return entry;
  }

  private maskerFor(invocationId: string, step: string, stream: OutputStream, payload: CommandPayload): OutputMasker {
    const key = `${invocationId}/${step}/${stream}`;
    let masker = this.maskers.get(key);
    if (!masker) this.maskers.set(key, (masker = new OutputMasker(payload.secretValues)));
    return masker;
  }

  // -- passes ----------------------------------------------------------------------------------

  private kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.loop())
      .finally(() => {
        this.running = undefined;
      });
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.pass();
      } catch (err) {
        this.options.logger.error({ err }, 'Run Command pass failed; retrying at the next tick');
      }
    } while (this.again && !this.stopped);
  }

  private async pass(): Promise<void> {
    const now = this.options.clock().getTime();
    const ids = new Set<string>();
    if (this.tickDue) {
      this.tickDue = false;
      for (const id of await this.options.store.activeCommandIds()) ids.add(id);
    }
    for (const id of this.dirty) ids.add(id);
    this.dirty.clear();
    const inbound = this.inbound;
    this.inbound = new Map();
    for (const id of inbound.keys()) ids.add(id);

    for (const commandId of ids) {
      if (this.stopped) break;
      const arrived = inbound.get(commandId);
      try {
        await this.progress(commandId, now, arrived);
      } catch (err) {
        this.options.logger.error({ err, commandId }, 'could not update a command; retrying');
        // Keep what arrived for the next pass; nothing was acknowledged.
        if (arrived) {
          const entry = this.inboundFor(commandId);
          for (const id of arrived.accepted) entry.accepted.add(id);
          for (const [id, frame] of arrived.results) if (!entry.results.has(id)) entry.results.set(id, frame);
        }
        this.dirty.add(commandId);
      }
    }

    if (this.redeliver.size > 0 && !this.stopped) {
      const nodes = [...this.redeliver];
      this.redeliver.clear();
      for (const instanceId of nodes) {
        try {
          await this.deliverOutstanding(instanceId, now);
        } catch (err) {
          this.options.logger.error({ err, instanceId }, "could not re-send a node's pending invocations; it gets them at the next resend");
        }
      }
    }
  }

  private payloadOf(command: CommandRow): CommandPayload {
    let payload = this.payloads.get(command.command_id);
    if (!payload) {
      payload = openPayload(this.options.secrets, command.command_id, command.steps_sealed);
      this.payloads.set(command.command_id, payload);
    }
    return payload;
  }

  /** One command: what arrived, cancellations, deadlines, rate control, delivery, counters; one transaction. */
  private async progress(commandId: string, now: number, inbound: Inbound | undefined): Promise<void> {
    const { store, agents } = this.options;
    const frames: Array<{ instanceId: string; frame: ServerFrame }> = [];
    const acks = inbound ? [...inbound.results.keys()] : [];
    let finished = false;
    let wroteEvents = false;

    await store.db.transaction().execute(async (trx) => {
      const command = await store.find(commandId, trx, true);
      if (!command) return; // Unknown: results are still acknowledged so the agent can forget them.
      const rows = await store.invocationStates(commandId, trx);
      const active = (ACTIVE_COMMAND_STATUSES as readonly string[]).includes(command.status);
      const payload = this.payloadOf(command);
      const byId = new Map(rows.map((r) => [r.instance_id, r]));
      const changes = new Map<string, Partial<InvocationRow>>();
      const detailsBefore = new Map(rows.map((r) => [r.instance_id, r.status_details]));
      const statusBefore = new Map(rows.map((r) => [r.instance_id, r.status]));
      const change = (row: InvocationState, values: Partial<InvocationRow>) => {
        Object.assign(row, values);
        changes.set(row.instance_id, { ...changes.get(row.instance_id), ...values });
      };
      const finish = (row: InvocationState, details: InvocationStatusDetails, extra: Partial<InvocationRow> = {}) =>
        change(row, { status: invocationStatusFor(details), status_details: details, ...extra });

      // 1. What the agents said. A result for a finished invocation changes nothing (it is acknowledged all the same).
      for (const instanceId of inbound?.accepted ?? []) {
        const row = byId.get(instanceId);
        if (row && !isTerminal(row) && row.accepted_at === null) change(row, { accepted_at: now, execution_start: row.execution_start ?? now });
      }
      for (const [instanceId, frame] of inbound?.results ?? []) {
        const row = byId.get(instanceId);
        if (!row || isTerminal(row)) continue;
        this.recordResult(command, row, frame, payload, now, change);
        if (this.options.sharedDatabase) await this.shareOutput(trx, command.command_id, instanceId, payload);
        for (const report of frame.reports ?? []) await this.recordReport(trx, command, instanceId, report, now);
      }

      if (active) {
        // 2. Cancellations asked for by CancelCommand (all invocations or some). What no agent has
        // confirmed running ends now; what runs is told to stop and ends when the agent says so.
        for (const row of rows) {
          if (!row.cancel_requested || isTerminal(row)) continue;
          if (row.started_at === null || row.accepted_at === null) finish(row, CANCELLED_DETAIL, { execution_end: now });
          else if (row.status !== 'Cancelling') change(row, { status: 'Cancelling' });
          if (row.started_at !== null && agents.isConnected(row.instance_id) && (row.accepted_at === null || row.cancel_sent_at === null || now - row.cancel_sent_at >= this.resendMs)) {
            frames.push({ instanceId: row.instance_id, frame: { v: AGENT_PROTOCOL_VERSION, type: 'invocation.cancel', invocationId: invocationIdOf(commandId, row.instance_id) } });
            change(row, { cancel_sent_at: now });
          }
        }

        // 3. Deadlines, MaxErrors and MaxConcurrency (command-progress.ts). A queued invocation
        // whose node is not connected is shown to the rules as Delayed: it takes no turn (one node
        // that is down must not hold the ramp at one for hours) and waits, up to its delivery
        // deadline, for the node to come back.
        const maxErrors = resolveRateLimit(command.max_errors, rows.length, 'MaxErrors');
        const queued = rows.filter((r) => r.started_at === null && !isTerminal(r)).map((r) => r.instance_id);
        const reachable = await this.reachable(trx, queued);
        const views = rows.map((r): InvocationView => {
          const view = viewOf(r);
          return r.started_at === null && !isTerminal(r) && !reachable.has(r.instance_id) ? { ...view, status: 'Delayed', statusDetails: 'Delayed' } : view;
        });
        // Nodes connected here first: with a shared database, "Online" may be a node that dropped a moment ago.
        const local = (v: InvocationView) => (agents.isConnected(v.id) ? 0 : 1);
        views.sort((x, y) => local(x) - local(y));
        const actions = nextActions(
          { maxConcurrency: resolveRateLimit(command.max_concurrency, rows.length, 'MaxConcurrency'), maxErrors, cancelRequested: command.cancel_requested === 1, invocations: views },
          now,
        );
        for (const id of actions.deliveryTimedOut) finish(byId.get(id)!, 'Delivery Timed Out', { execution_end: now });
        for (const id of actions.terminate) finish(byId.get(id)!, 'Terminated', { execution_end: now });
        for (const id of actions.cancelPending) finish(byId.get(id)!, CANCELLED_DETAIL, { execution_end: now });
        if (actions.start.length > 0) await this.startInvocations(trx, command, payload, actions.start.map((id) => byId.get(id)!), now, finish, change);
        // Over the error threshold, what waits for an absent node will never start either.
        if (errorThresholdExceeded({ maxErrors, invocations: rows.map(viewOf) })) {
          for (const row of rows) if (row.started_at === null && !isTerminal(row)) finish(row, 'Terminated', { execution_end: now });
        }

        // 4. Delivery of started invocations to nodes connected here; unconfirmed ones again after resendMs.
        for (const row of rows) {
          if (row.status !== 'InProgress' || row.accepted_at !== null || row.started_at === null) continue;
          if (row.last_sent_at !== null && now - row.last_sent_at < this.resendMs) continue;
          if (!agents.isConnected(row.instance_id)) continue;
          frames.push({ instanceId: row.instance_id, frame: this.startFrame(command, payload, row) });
          change(row, { last_sent_at: now });
        }
      }

      // 5. Write what changed: rows with identical changes together (a wave of starts is one statement).
      const groups = new Map<string, { values: Partial<InvocationRow>; ids: string[] }>();
      for (const [instanceId, values] of changes) {
        const key = JSON.stringify(values);
        let group = groups.get(key);
        if (!group) groups.set(key, (group = { values: { ...values, updated_at: now }, ids: [] }));
        group.ids.push(instanceId);
      }
      for (const { values, ids } of groups.values()) {
        if (ids.length === 1) await store.updateInvocation(trx, commandId, ids[0]!, values);
        else await store.updateInvocations(trx, commandId, ids, values);
      }

      // 6. Events and notifications for every invocation whose status moved.
      const events: Array<{ event_type: string; occurred_at: number; payload: string }> = [];
      for (const instanceId of changes.keys()) {
        const row = byId.get(instanceId)!;
        if (row.status_details === detailsBefore.get(instanceId)) continue;
        events.push({
          event_type: INVOCATION_STATUS_EVENT,
          occurred_at: now,
          payload: JSON.stringify({ commandId, instanceId, status: row.status, statusDetails: row.status_details, responseCode: row.response_code }),
        });
        if (row.status !== statusBefore.get(instanceId)) await notifyInvocationStatus(trx, command, row, now);
      }

      // 7. The command's status and counters.
      const summary = summarize(rows.map(viewOf), {
        maxErrors: resolveRateLimit(command.max_errors, rows.length, 'MaxErrors'),
        cancelRequested: command.cancel_requested === 1,
        targetedByTag: command.targeted_by_tag === 1,
      });
      const statusMoved = summary.Status !== command.status || summary.StatusDetails !== command.status_details;
      const countsMoved =
        summary.CompletedCount !== command.completed_count || summary.ErrorCount !== command.error_count || summary.DeliveryTimedOutCount !== command.delivery_timed_out_count;
      if (statusMoved || countsMoved) {
        const statusChanged = summary.Status !== command.status;
        Object.assign(command, {
          status: summary.Status,
          status_details: summary.StatusDetails,
          target_count: summary.TargetCount,
          completed_count: summary.CompletedCount,
          error_count: summary.ErrorCount,
          delivery_timed_out_count: summary.DeliveryTimedOutCount,
          updated_at: now,
        });
        await store.updateCommand(trx, commandId, command);
        if (statusMoved) {
          events.push({
            event_type: COMMAND_STATUS_EVENT,
            occurred_at: now,
            payload: JSON.stringify({ commandId, documentName: command.document_name, status: command.status, statusDetails: command.status_details }),
          });
        }
        if (statusChanged) await notifyCommandStatus(trx, command, now);
      }
      finished = !(ACTIVE_COMMAND_STATUSES as readonly string[]).includes(command.status);
      for (let at = 0; at < events.length; at += 500) await trx.insertInto('outbox_events').values(events.slice(at, at + 500)).execute();
      wroteEvents = events.length > 0;
    });

    // After the commit, never before: an agent's answer must find the rows already saying In Progress.
    for (const { instanceId, frame } of frames) {
      if (frame.type === 'invocation.start') this.live.add(frame.invocationId);
      agents.connectionFor(instanceId)?.send(frame);
    }
    for (const instanceId of acks) {
      agents.connectionFor(instanceId)?.send({ v: AGENT_PROTOCOL_VERSION, type: 'invocation.result.ack', invocationId: invocationIdOf(commandId, instanceId) });
    }
    if (wroteEvents) signalOutboxWritten();
    if (finished) this.forget(commandId);
  }

  /**
   * Invocations rate control lets go. A node deregistered since the command
   * was sent is Undeliverable; one whose platform the document has no steps
   * for is Invalid Platform; the others are In Progress with their deadlines.
   */
  private async startInvocations(
    trx: Kysely<Database>,
    command: CommandRow,
    payload: CommandPayload,
    rows: InvocationState[],
    now: number,
    finish: (row: InvocationState, details: InvocationStatusDetails, extra?: Partial<InvocationRow>) => void,
    change: (row: InvocationState, values: Partial<InvocationRow>) => void,
  ): Promise<void> {
    const nodes = new Map<string, { ping_status: string; platform_type: string | null }>();
    const ids = rows.map((r) => r.instance_id);
    for (let at = 0; at < ids.length; at += 500) {
      const found = await trx
        .selectFrom('managed_nodes')
        .select(['instance_id', 'ping_status', 'platform_type'])
        .where('instance_id', 'in', ids.slice(at, at + 500))
        .execute();
      for (const n of found) nodes.set(n.instance_id, n);
    }
    const executionMs = command.execution_timeout_seconds * 1000;
    for (const row of rows) {
      const node = nodes.get(row.instance_id);
      // started_at is set on all three: each took its turn, and the ramp grows as they finish.
      if (!node || node.ping_status === 'Inactive') finish(row, 'Undeliverable', { started_at: now, execution_end: now });
      else if (node.platform_type && payload.platformTypes.length && !payload.platformTypes.includes(node.platform_type)) {
        finish(row, 'Invalid Platform', { started_at: now, execution_end: now });
      } else {
        change(row, {
          status: 'InProgress',
          status_details: 'In Progress',
          started_at: now,
          // The earlier of the deadline it was queued with and a full delivery timeout from now.
          delivery_deadline: Math.min(row.delivery_deadline ?? Infinity, now + command.timeout_seconds * 1000 + executionMs),
          execution_deadline: now + executionMs,
        });
      }
    }
  }

  /**
   * The nodes among `ids` a start could reach now: connected here, or, when
   * replicas share the database, Online (connected to some replica).
   */
  private async reachable(trx: Kysely<Database>, ids: string[]): Promise<Set<string>> {
    const { agents } = this.options;
    const reachable = new Set(ids.filter((id) => agents.isConnected(id)));
    if (!this.options.sharedDatabase) return reachable;
    const rest = ids.filter((id) => !reachable.has(id));
    for (let at = 0; at < rest.length; at += 500) {
      const online = await trx.selectFrom('managed_nodes').select('instance_id').where('instance_id', 'in', rest.slice(at, at + 500)).where('ping_status', '=', 'Online').execute();
      for (const n of online) reachable.add(n.instance_id);
    }
    return reachable;
  }

  private startFrame(command: CommandRow, payload: CommandPayload, row: InvocationState): ServerFrame {
    return {
      v: AGENT_PROTOCOL_VERSION,
      type: 'invocation.start',
      invocationId: invocationIdOf(command.command_id, row.instance_id),
      commandId: command.command_id,
      documentName: command.document_name,
      steps: withNodeInputs(payload, row.instance_id),
      executionDeadline: row.execution_deadline ?? command.expires_after,
    };
  }

  /** An agent's result, applied to its row: status, response code, per-step outputs (masked), and the full output reconciled. */
  private recordResult(
    command: CommandRow,
    row: InvocationState,
    frame: InvocationResultFrame,
    payload: CommandPayload,
    now: number,
    change: (row: InvocationState, values: Partial<InvocationRow>) => void,
  ): void {
    // A head cut at RESULT_OUTPUT_CHARS may end in part of a secret: maskHead masks that piece too.
    const mask = (text: string) => maskHead(text, payload.secretValues, RESULT_OUTPUT_CHARS);
    const plugins: StoredPluginResult[] = frame.steps.map((step) => ({
      name: step.name,
      status: step.status,
      responseCode: step.responseCode,
      stdout: mask(step.stdout),
      stderr: mask(step.stderr),
      truncated: step.outputTruncated,
      startedAt: frame.startedAt,
      endedAt: frame.endedAt,
    }));
    const invocationId = invocationIdOf(command.command_id, row.instance_id);
    for (const plugin of plugins) {
      if (!payload.steps.some((s) => s.name === plugin.name)) continue;
      for (const stream of ['stdout', 'stderr'] as const) this.reconcileOutput(command.command_id, row.instance_id, invocationId, plugin.name, stream, plugin[stream]);
    }
    this.live.delete(invocationId);
    this.lastSeq.delete(invocationId);
    const details = DETAIL_FOR_RESULT[frame.status];
    change(row, {
      status: invocationStatusFor(details),
      status_details: details,
      response_code: frame.responseCode,
      accepted_at: row.accepted_at ?? now,
      execution_start: row.execution_start ?? frame.startedAt,
      execution_end: frame.endedAt,
      plugins: JSON.stringify(plugins),
      message: frame.message === undefined ? null : mask(frame.message),
    });
  }

  private async recordReport(trx: Kysely<Database>, command: CommandRow, instanceId: string, report: StepReport, now: number): Promise<void> {
    const handler = this.options.reportHandlers?.[report.kind];
    if (!handler) {
      this.options.logger.warn({ commandId: command.command_id, instanceId, kind: report.kind }, 'ignoring a step report of a kind this server does not know');
      return;
    }
    await handler(trx, { commandId: command.command_id, documentName: command.document_name, instanceId, step: report.step, data: report.data, now });
  }

  /**
   * What each node's steps get on top of the rendered inputs, for the
   * actions that need per-node inputs (SendCommand stores it in the payload).
   */
  async nodeStepInputs(steps: { name: string; action: string }[], instanceIds: string[], now: number): Promise<Record<string, Record<string, Record<string, unknown>>>> {
    const byNode: Record<string, Record<string, Record<string, unknown>>> = {};
    for (const step of steps) {
      const resolve = this.options.nodeInputs?.[step.action];
      if (!resolve) continue;
      for (const [instanceId, inputs] of await resolve(this.options.store.db, instanceIds, now)) {
        (byNode[instanceId] ??= {})[step.name] = inputs;
      }
    }
    return byNode;
  }

  /**
   * The stored output of a finished step: what streamed in, plus the tail a
   * masker held back. If less arrived than the result's head (frames lost to a
   * reconnection or a server restart), the head is the better copy.
   */
  private reconcileOutput(commandId: string, instanceId: string, invocationId: string, step: string, stream: OutputStream, head: string): void {
    const { output, logger } = this.options;
    const key = `${invocationId}/${step}/${stream}`;
    const masker = this.maskers.get(key);
    this.maskers.delete(key);
    try {
      if (masker) output.append(commandId, instanceId, step, stream, masker.end());
      if (output.size(commandId, instanceId, step, stream) < Buffer.byteLength(head, 'utf8')) output.replace(commandId, instanceId, step, stream, head);
    } catch (err) {
      logger.error({ err, invocationId }, 'could not store command output');
    }
  }

  /**
   * With replicas sharing PostgreSQL, the output files are only in this
   * replica's data dir: a copy of each finished step's output goes to the
   * database, in the result's transaction, so that any replica can serve it.
   */
  private async shareOutput(trx: Kysely<Database>, commandId: string, instanceId: string, payload: CommandPayload): Promise<void> {
    for (const step of payload.steps) {
      for (const stream of ['stdout', 'stderr'] as const) {
        const stored = this.options.output.read(commandId, instanceId, step.name, stream, 0, COPIED_OUTPUT_BYTES);
        if (stored.totalBytes === 0) continue;
        await this.options.store.saveOutputCopy(trx, {
          command_id: commandId,
          instance_id: instanceId,
          step: step.name,
          stream,
          content: stored.content,
          total_bytes: stored.totalBytes,
        });
      }
    }
  }

  /** A node came (back): send it every invocation it should be running, so it answers with its state or result. */
  private async deliverOutstanding(instanceId: string, now: number): Promise<void> {
    const { store, agents } = this.options;
    if (!agents.isConnected(instanceId)) return;
    const rows = await store.outstandingFor(instanceId);
    const sent: Array<{ commandId: string; frames: ServerFrame[] }> = [];
    for (const row of rows) {
      const command = await store.find(row.command_id);
      if (!command) continue;
      const payload = this.payloadOf(command);
      const frames: ServerFrame[] = [this.startFrame(command, payload, row)];
      if (row.status === 'Cancelling') frames.push({ v: AGENT_PROTOCOL_VERSION, type: 'invocation.cancel', invocationId: invocationIdOf(row.command_id, instanceId) });
      sent.push({ commandId: row.command_id, frames });
    }
    if (sent.length === 0) return;
    await store.db.transaction().execute(async (trx) => {
      for (const { commandId } of sent) await store.updateInvocation(trx, commandId, instanceId, { last_sent_at: now, updated_at: now });
    });
    const connection = agents.connectionFor(instanceId);
    for (const { frames } of sent) {
      for (const frame of frames) {
        if (frame.type === 'invocation.start') this.live.add(frame.invocationId);
        connection?.send(frame);
      }
    }
  }

  /** A finished command's in-memory state. */
  private forget(commandId: string): void {
    this.payloads.delete(commandId);
    const prefix = `${commandId}.`;
    for (const id of this.live) if (id.startsWith(prefix)) this.live.delete(id);
    for (const id of this.lastSeq.keys()) if (id.startsWith(prefix)) this.lastSeq.delete(id);
    for (const key of this.maskers.keys()) if (key.startsWith(prefix)) this.maskers.delete(key);
  }
}
