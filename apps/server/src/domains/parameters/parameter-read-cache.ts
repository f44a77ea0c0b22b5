import type { FindResult } from './parameters.store.js';

/**
 * Read-through cache of single-parameter reads (GetParameter, the hottest
 * call of a fleet), used only on SQLite, where this process is the only
 * writer, so invalidating on its own writes keeps the cache exact. With
 * PostgreSQL other replicas write too and every read goes to the database.
 *
 * A read fills the cache only if no write happened while it ran (the epoch
 * is unchanged), so a read that raced a write never stores the old value.
 */
export class ParameterReadCache {
  private readonly entries = new Map<string, Map<string, FindResult>>();
  private size = 0;
  private epoch = 0;

  constructor(private readonly maxEntries = 20_000) {}

  /** The epoch to hand back to `set`; read it before querying. */
  begin(): number {
    return this.epoch;
  }

  get(nameKey: string, selectorKey: string): FindResult | undefined {
    return this.entries.get(nameKey)?.get(selectorKey);
  }

  set(nameKey: string, selectorKey: string, result: FindResult, epoch: number): void {
    if (epoch !== this.epoch) return;
    if (this.size >= this.maxEntries) this.clear();
    let forName = this.entries.get(nameKey);
    if (!forName) this.entries.set(nameKey, (forName = new Map()));
    if (!forName.has(selectorKey)) this.size++;
    forName.set(selectorKey, result);
  }

  /** Called after every committed (or failed) write of these parameters. */
  invalidate(nameKeys: Iterable<string>): void {
    this.epoch++;
    for (const key of nameKeys) {
      const forName = this.entries.get(key);
      if (forName) {
        this.size -= forName.size;
        this.entries.delete(key);
      }
    }
  }

  private clear(): void {
    this.entries.clear();
    this.size = 0;
  }
}
