import type { Logger } from 'pino';
import type { NodesStore } from '../domains/nodes/nodes.store.js';

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
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = true;

  constructor(private readonly options: PingSweeperOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  /** Stops the loop and waits for a sweep in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One sweep; the ids that went ConnectionLost. */
  async sweep(): Promise<string[]> {
    const now = this.options.clock().getTime();
    const lost = await this.options.nodes.markConnectionLost(now - this.options.pingTimeoutSeconds * 1000, now);
    if (lost.length) this.options.logger.info({ nodes: lost.length }, 'managed nodes lost their connection');
    return lost;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep()
        .catch((err) => this.options.logger.error({ err }, 'ping sweep failed; retrying at the next one'))
        .finally(() => this.schedule());
    }, this.options.intervalSeconds * 1000);
    this.timer.unref();
  }
}
