import type { Logger } from 'pino';
import { PeriodicTask } from '../../scheduler/periodic-task.js';
import type { CommandOutputStore } from './command-output-store.js';
import type { CommandsStore } from './commands.store.js';

const DAY_MS = 86_400_000;
/** Commands deleted per transaction: a large backlog is worked off in short steps, not one long lock. */
const DELETE_BATCH = 500;

export interface CommandHistoryOptions {
  store: CommandsStore;
  output: CommandOutputStore;
  logger: Logger;
  clock: () => Date;
  /** Days a finished command is kept, counted from when it was sent (TEND_COMMAND_HISTORY_DAYS). */
  days: number;
  /** Between two prunings (default an hour). */
  intervalMs?: number;
}

/**
 * Keeps Run Command's history to a number of days, as Systems Manager keeps
 * 30: finished commands sent before then go, with their invocations and
 * their output files. Every replica prunes; the database rows go once, and
 * each replica removes the output files it holds, including those of
 * commands another replica pruned.
 */
export class CommandHistory {
  private readonly task: PeriodicTask;

  constructor(private readonly options: CommandHistoryOptions) {
    this.task = new PeriodicTask({ name: 'command history pruning', intervalMs: options.intervalMs ?? 3_600_000, logger: options.logger, run: () => this.prune() });
  }

  start(): void {
    this.task.start();
  }

  async stop(): Promise<void> {
    await this.task.stop();
  }

  /** One pruning: how many commands left the database and how many output directories this replica removed. */
  async prune(): Promise<{ commands: number; outputs: number }> {
    const { store, output, logger, clock, days } = this.options;
    const before = clock().getTime() - days * DAY_MS;
    let commands = 0;
    let outputs = 0;
    for (;;) {
      const ids = await store.deleteFinishedBefore(before, DELETE_BATCH);
      for (const id of ids) if (output.removeCommand(id)) outputs++;
      commands += ids.length;
      if (ids.length < DELETE_BATCH) break;
    }
    // Output of commands another replica pruned (or deleted while this one was down).
    const stale = output.commandsWrittenBefore(before);
    for (let at = 0; at < stale.length; at += DELETE_BATCH) {
      const batch = stale.slice(at, at + DELETE_BATCH);
      const kept = await store.existingIds(batch);
      for (const id of batch) if (!kept.has(id) && output.removeCommand(id)) outputs++;
    }
    if (commands || outputs) logger.info({ commands, outputs, days }, 'pruned the command history');
    return { commands, outputs };
  }
}
