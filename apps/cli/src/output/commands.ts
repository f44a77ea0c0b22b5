import type { Command, CommandInvocation, Target } from '@aws-sdk/client-ssm';
import { fieldTable, formatDate, table } from './print.js';
import { singleLine } from './table.js';

/** Command statuses from which nothing changes any more (Cancelling is still on its way). */
const TERMINAL_COMMAND_STATUSES = new Set(['Success', 'Cancelled', 'Failed', 'TimedOut']);

/** Invocation statuses from which nothing changes any more. */
const TERMINAL_INVOCATION_STATUSES = new Set(['Success', 'Cancelled', 'Failed', 'TimedOut']);

export function isTerminalCommand(command: Pick<Command, 'Status'>): boolean {
  return TERMINAL_COMMAND_STATUSES.has(command.Status ?? '');
}

export function isTerminalInvocation(invocation: Pick<CommandInvocation, 'Status'>): boolean {
  return TERMINAL_INVOCATION_STATUSES.has(invocation.Status ?? '');
}

// ---------------------------------------------------------------------------------------------
// Exit codes of `tend run`

/** Every targeted node ran the command with Success. */
export const EXIT_SUCCESS = 0;
/** The command ended, but not with Success on every node (or it targeted no node at all). */
export const EXIT_NOT_ALL_SUCCEEDED = 2;
/** Ctrl-C twice: tend stopped following; the command goes on cancelling on the server. */
export const EXIT_INTERRUPTED = 130;

/**
 * The exit code for a finished command. A command that targeted no node is
 * Success for Systems Manager ("No Instances In Tag"), but a script that
 * meant to act on `tag:Role=web` should not pass silently when nothing ran.
 */
export function runExitCode(command: Pick<Command, 'Status'>, invocations: ReadonlyArray<Pick<CommandInvocation, 'Status'>>): number {
  const allSucceeded = command.Status === 'Success' && invocations.length > 0 && invocations.every((i) => i.Status === 'Success');
  return allSucceeded ? EXIT_SUCCESS : EXIT_NOT_ALL_SUCCEEDED;
}

// ---------------------------------------------------------------------------------------------
// Progress

export interface RunCounts {
  done: number;
  failed: number;
  pending: number;
  total: number;
}

/**
 * done = Success; failed = any other end (Failed, TimedOut, Cancelled,
 * which also covers Undeliverable and Terminated); pending = not ended yet,
 * running or waiting its turn. The total is the command's TargetCount, which
 * is known before every invocation is listed.
 */
export function runCounts(command: Pick<Command, 'TargetCount'>, invocations: ReadonlyArray<Pick<CommandInvocation, 'Status'>>): RunCounts {
  const done = invocations.filter((i) => i.Status === 'Success').length;
  const failed = invocations.filter((i) => isTerminalInvocation(i) && i.Status !== 'Success').length;
  const total = Math.max(command.TargetCount ?? 0, invocations.length);
  return { done, failed, pending: total - done - failed, total };
}

/** `3 done · 1 failed · 6 pending of 10`, with the command's status added while it is cancelling. */
export function formatProgress(counts: RunCounts, status?: string): string {
  const line = `${counts.done} done · ${counts.failed} failed · ${counts.pending} pending of ${counts.total}`;
  return status === 'Cancelling' ? `${line} · cancelling` : line;
}

/** Writes to a terminal or a pipe; the progress display takes two so tests can capture them. */
export interface TextSink {
  write(text: string): unknown;
}

export interface ProgressDisplayOptions {
  /** Where node output and results go (stdout). */
  out: TextSink;
  /** Where the progress line goes (stderr), so redirecting stdout keeps a clean log. */
  err: TextSink;
  /** True when `err` is a terminal: the line is then rewritten in place. */
  tty: boolean;
  /** False: no progress line at all (`--json` into a pipe), only output and notes. */
  progress?: boolean;
  now?: () => number;
}

/** Without a terminal, a changed line is printed at most this often… */
const PLAIN_MIN_INTERVAL_MS = 2_000;
/** …and an unchanged one again after this long, so a CI log shows the run is still alive. */
const PLAIN_REPEAT_MS = 30_000;
/** Clears the terminal line the cursor is on. */
const CLEAR_LINE = '\r\x1b[2K';

/**
 * The progress line of `tend run`. On a terminal it stays the last line,
 * rewritten in place, and node output scrolls above it; in a pipe it is a
 * plain line now and then, since rewriting would only leave escape codes in
 * a log.
 */
export class ProgressDisplay {
  private shown = '';
  private lastPrinted = '';
  private lastPrintedAt = -Infinity;
  private readonly now: () => number;

  constructor(private readonly options: ProgressDisplayOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Shows the current progress (on a terminal at once; in a pipe only when due). */
  update(line: string): void {
    if (this.options.progress === false) return;
    if (this.options.tty) {
      if (line === this.shown) return;
      this.options.err.write(`${CLEAR_LINE}${line}`);
      this.shown = line;
      return;
    }
    const since = this.now() - this.lastPrintedAt;
    const due = line !== this.lastPrinted ? since >= PLAIN_MIN_INTERVAL_MS : since >= PLAIN_REPEAT_MS;
    if (due) this.printPlain(line);
  }

  /** Prints lines of output above the progress line. */
  print(text: string): void {
    if (!text) return;
    if (this.options.tty && this.shown) {
      this.options.err.write(CLEAR_LINE);
      this.options.out.write(text);
      this.options.err.write(this.shown);
      return;
    }
    this.options.out.write(text);
  }

  /** Leaves the final progress on a line of its own, whatever was shown before. */
  finish(line: string): void {
    if (this.options.progress === false) return;
    if (this.options.tty) {
      this.options.err.write(`${CLEAR_LINE}${line}\n`);
      this.shown = '';
      return;
    }
    if (line !== this.lastPrinted) this.printPlain(line);
  }

  /** A message of its own (a Ctrl-C notice) without garbling the progress line. */
  note(text: string): void {
    if (this.options.tty && this.shown) {
      this.options.err.write(`${CLEAR_LINE}${text}\n${this.shown}`);
      return;
    }
    this.options.err.write(`${text}\n`);
  }

  private printPlain(line: string): void {
    this.options.err.write(`${line}\n`);
    this.lastPrinted = line;
    this.lastPrintedAt = this.now();
  }
}

// ---------------------------------------------------------------------------------------------
// Live output

/**
 * Cuts a stream that arrives in chunks into whole lines: a line split across
 * two chunks comes out once, whole, when its newline arrives; what is left
 * when the stream ends comes out by `end()`.
 */
export class LineSplitter {
  private partial = '';

  push(chunk: string): string[] {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop()!;
    return lines.map(stripCarriageReturn);
  }

  end(): string[] {
    const rest = this.partial;
    this.partial = '';
    return rest ? [stripCarriageReturn(rest)] : [];
  }
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

export type OutputStreamName = 'Stdout' | 'Stderr';

/** Colour and style sequences (SGR): harmless, but unreadable once escaped. */
const SGR = /\x1b\[[0-9;]*m/g;

/**
 * One line of a node's output as `tend run` prints it: `mi-… | line` for
 * stdout, `mi-… ! line` for stderr. A line that redraws itself with `\r`
 * (a progress bar) shows what a terminal would end up showing, colours are
 * dropped, and other control characters are escaped (tabs kept), because the
 * text comes from remote machines and would otherwise drive this terminal
 * and break the progress line. `tend commands show ID --instance NODE`
 * prints the output as it was written.
 */
export function formatOutputLine(instanceId: string, stream: OutputStreamName, line: string): string {
  const shown = line.slice(line.lastIndexOf('\r') + 1).replace(SGR, '');
  const safe = shown.split('\t').map(singleLine).join('\t');
  return `${instanceId} ${stream === 'Stderr' ? '!' : '|'} ${safe}`;
}

// ---------------------------------------------------------------------------------------------
// Tables

/**
 * The response code of an invocation: that of its first step that did not
 * succeed, else of its last step, since CommandInvocation carries none of its
 * own (ListCommandInvocations with Details puts one on each step). The API's
 * -1 means the step never ran, so there is no code to show.
 */
export function responseCodeOf(invocation: Pick<CommandInvocation, 'CommandPlugins'>): number | undefined {
  const plugins = invocation.CommandPlugins ?? [];
  const failing = plugins.find((p) => p.Status !== undefined && p.Status !== 'Success' && p.ResponseCode !== undefined && p.ResponseCode >= 0);
  const code = (failing ?? plugins.at(-1))?.ResponseCode;
  return code !== undefined && code >= 0 ? code : undefined;
}

/** One row per node: the summary of `tend run` and the body of `tend commands show`. */
export function invocationsTable(invocations: readonly CommandInvocation[]): string {
  return table(
    [{ header: 'node' }, { header: 'name', maxWidth: 30 }, { header: 'status' }, { header: 'status details' }, { header: 'response code', align: 'right' }],
    invocations.map((i) => [i.InstanceId ?? '', i.InstanceName ?? '', i.Status ?? '', i.StatusDetails ?? '', String(responseCodeOf(i) ?? '')]),
    'No invocations: the command targeted no node.',
  );
}

/** `2/3`: invocations that ended, of those targeted. */
function completedOf(command: Command): string {
  return `${command.CompletedCount ?? 0}/${command.TargetCount ?? 0}`;
}

/** `tend commands ls`: one row per command, newest first as the API lists them. */
export function commandsTable(commands: readonly Command[], empty: string): string {
  return table(
    [
      { header: 'command id' },
      { header: 'document', maxWidth: 40 },
      { header: 'status' },
      { header: 'completed', align: 'right' },
      { header: 'errors', align: 'right' },
      { header: 'requested' },
      { header: 'comment', maxWidth: 40 },
    ],
    commands.map((c) => [c.CommandId ?? '', c.DocumentName ?? '', c.Status ?? '', completedOf(c), String(c.ErrorCount ?? 0), formatDate(c.RequestedDateTime), c.Comment ?? '']),
    empty,
  );
}

/** `tag:Env=prod,staging; InstanceIds=mi-1`: targets as `tend run --targets` takes them. */
export function formatTargets(targets: readonly Target[] | undefined): string {
  return (targets ?? []).map((t) => `${t.Key ?? ''}=${(t.Values ?? []).join(',')}`).join('; ');
}

/** Every field of one command, for `tend commands show`. */
export function commandFields(c: Command): string {
  const notification = c.NotificationConfig?.NotificationArn
    ? `${c.NotificationConfig.NotificationArn} (${c.NotificationConfig.NotificationType ?? ''}: ${(c.NotificationConfig.NotificationEvents ?? []).join(',')})`
    : undefined;
  return fieldTable([
    ['CommandId', c.CommandId],
    ['Document', c.DocumentName && `${c.DocumentName}${c.DocumentVersion ? ` (version ${c.DocumentVersion})` : ''}`],
    ['Status', c.Status],
    ['StatusDetails', c.StatusDetails],
    ['Comment', c.Comment],
    ['Targets', formatTargets(c.Targets)],
    ['InstanceIds', c.InstanceIds?.join(',')],
    ['Parameters', c.Parameters && Object.keys(c.Parameters).length ? JSON.stringify(c.Parameters) : undefined],
    ['MaxConcurrency', c.MaxConcurrency],
    ['MaxErrors', c.MaxErrors],
    ['TimeoutSeconds', c.TimeoutSeconds?.toString()],
    ['Requested', formatDate(c.RequestedDateTime)],
    ['ExpiresAfter', formatDate(c.ExpiresAfter)],
    ['Targeted', c.TargetCount?.toString()],
    ['Completed', c.CompletedCount?.toString()],
    ['Errors', c.ErrorCount?.toString()],
    ['DeliveryTimedOut', c.DeliveryTimedOutCount?.toString()],
    ['Notification', notification],
  ]);
}
