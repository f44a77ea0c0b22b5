import type { Logger } from 'pino';
import type { NodesStore } from '../domains/nodes/nodes.store.js';
import { PeriodicTask } from './periodic-task.js';

export interface PingSweeperOptions {
  nodes: NodesStore;
  logger: Logger;
  clock: () => Date;
  pingTimeoutSeconds: number;
  /** Seconds between sweeps. */
  intervalSeconds: number;
}

/**
 * Marks Online nodes silent for longer than the ping timeout as
 * ConnectionLost. Every replica runs one; the single UPDATE per sweep makes
 * concurrent sweeps safe (a node changes, and is reported, once).
 */
export class PingSweeper {
  private readonly task: PeriodicTask;

  constructor(private readonly options: PingSweeperOptions) {
    this.task = new PeriodicTask({ name: 'ping sweep', intervalMs: options.intervalSeconds * 1000, logger: options.logger, run: () => this.sweep() });
  }

  start(): void {
    this.task.start();
  }

  /** Stops the loop and waits for a sweep in progress. */
  async stop(): Promise<void> {
    await this.task.stop();
  }

  /** One sweep; the ids that went ConnectionLost. */
  async sweep(): Promise<string[]> {
    const now = this.options.clock().getTime();
    const lost = await this.options.nodes.markConnectionLost(now - this.options.pingTimeoutSeconds * 1000, now);
    if (lost.length) this.options.logger.info({ nodes: lost.length }, 'managed nodes lost their connection');
    return lost;
  }
}
