import type { Logger } from 'pino';

export interface PeriodicTaskOptions {
  /** Named in the log line of a failed run. */
  name: string;
  intervalMs: number;
  logger: Logger;
  run(): Promise<unknown>;
}

/**
 * Work every replica repeats on an interval (sweeps, pruning), written so
 * that two replicas doing it at once is harmless. A run starts only after
 * the previous one ended; a failed run is logged and the next one comes
 * at the next interval. The timer does not keep the process alive.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = true;

  constructor(private readonly options: PeriodicTaskOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  /** Stops the loop and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.options
        .run()
        .catch((err) => this.options.logger.error({ err }, `${this.options.name} failed; retrying at the next one`))
        .finally(() => this.schedule());
    }, this.options.intervalMs);
    this.timer.unref();
  }
}
