import { setTimeout as sleep } from 'node:timers/promises';
import type { Command, CommandInvocation, SSMClient } from '@aws-sdk/client-ssm';
import { ApiError, type TendClient } from '../api/tend-client.js';
import { describeError } from '../errors.js';
import {
  formatOutputLine,
  formatProgress,
  isTerminalCommand,
  isTerminalInvocation,
  LineSplitter,
  runCounts,
  type OutputStreamName,
  type ProgressDisplay,
} from '../output/commands.js';
import { getCommand, listInvocations, readOutput } from './commands-api.js';

/** How often the command is polled: live enough to read, light on the server. */
export const POLL_INTERVAL_MS = 500;
/** How long the server may stay unreachable (a restart, a network blip) before following gives up. */
const GIVE_UP_AFTER_MS = 60_000;
/** Nodes whose output is read at once. */
const READ_CONCURRENCY = 8;
const STREAMS: OutputStreamName[] = ['Stdout', 'Stderr'];

export interface FollowOptions {
  /** Print each node's output as it is written (else only progress). */
  stream: boolean;
  display: ProgressDisplay;
}

/** A command that has ended, with every invocation and its steps (Details). */
export interface FinishedCommand {
  Command: Command;
  CommandInvocations: CommandInvocation[];
}

/** Where one stream of one step of one node has been read up to. */
interface StreamReader {
  offset: number;
  lines: LineSplitter;
  complete: boolean;
}

/**
 * Polls a command until it ends: its status and invocations each round, and,
 * when streaming, the new output of every node that has started, read by
 * byte offset with Tend.GetCommandOutput and printed line by line. A node's
 * output is read to its end before the command counts as followed, so
 * nothing written in the last moments is lost. Server errors and lost
 * connections are retried for a while, so a server restart does not end
 * the follow.
 */
export async function followCommand(ssm: SSMClient, api: TendClient, commandId: string, options: FollowOptions): Promise<FinishedCommand> {
  const readers = new Map<string, StreamReader>();
  let failingSince: number | undefined;

  const readInvocation = async (invocation: CommandInvocation) => {
    // Nothing has run yet on a node waiting its turn, so there is nothing to read.
    if (invocation.Status === 'Pending' || invocation.Status === 'Delayed') return;
    const instanceId = invocation.InstanceId!;
    const ended = isTerminalInvocation(invocation);
    for (const plugin of invocation.CommandPlugins ?? []) {
      for (const stream of STREAMS) {
        const key = `${instanceId}\0${plugin.Name}\0${stream}`;
        let reader = readers.get(key);
        if (!reader) readers.set(key, (reader = { offset: 0, lines: new LineSplitter(), complete: false }));
        const print = (lines: string[]) => options.display.print(lines.map((l) => `${formatOutputLine(instanceId, stream, l)}\n`).join(''));
        while (!reader.complete) {
          const slice = await readOutput(api, { CommandId: commandId, InstanceId: instanceId, PluginName: plugin.Name, Stream: stream, Offset: reader.offset });
          const progressed = slice.NextOffset > reader.offset;
          reader.offset = slice.NextOffset;
          print(reader.lines.push(slice.Content));
          // An ended node writes nothing more: its last line needs no newline to be shown.
          if (slice.Complete || (ended && !progressed)) {
            reader.complete = true;
            print(reader.lines.end());
          }
          if (!progressed || slice.NextOffset >= slice.TotalBytes) break;
        }
      }
    }
  };

  for (;;) {
    try {
      const command = await getCommand(ssm, commandId);
      const invocations = await listInvocations(ssm, commandId, options.stream);
      if (options.stream) await eachAtMost(READ_CONCURRENCY, invocations, readInvocation);
      options.display.update(formatProgress(runCounts(command, invocations), command.Status));
      if (failingSince !== undefined) options.display.note('tend: in contact with the server again');
      failingSince = undefined;
      // The command ends after its last invocation, so by now every node's output has been read to its end.
      if (isTerminalCommand(command)) {
        return { Command: command, CommandInvocations: options.stream ? invocations : await listInvocations(ssm, commandId, true) };
      }
    } catch (err) {
      if (!isTransient(err)) throw err;
      const now = Date.now();
      if (failingSince === undefined) {
        failingSince = now;
        options.display.note(`tend: lost contact with the server (${describeError(err)}); retrying for up to ${GIVE_UP_AFTER_MS / 1000} s`);
      } else if (now - failingSince > GIVE_UP_AFTER_MS) {
        throw err;
      }
    }
    await sleep(POLL_INTERVAL_MS);
  }
}

/**
 * Failures that may pass on their own: no connection, a server error, a
 * throttle. A refused request (an unknown command, access denied) will not,
 * and neither will a bug here.
 */
function isTransient(err: unknown): boolean {
  const e = err as { code?: unknown; cause?: { code?: unknown }; $fault?: string; name?: string } | undefined;
  if (e?.name === 'ThrottlingException' || e?.$fault === 'server') return true;
  if (err instanceof ApiError) return err.status >= 500;
  return typeof e?.code === 'string' || typeof e?.cause?.code === 'string';
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function eachAtMost<T>(limit: number, items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
