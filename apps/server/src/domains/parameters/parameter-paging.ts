import type { ParameterRecord } from './parameters.store.js';

/** Rows read from the database per round trip while filling a page. */
const SCAN_BATCH = 100;
/**
 * Rows examined per call at most. A filter that matches little must not
 * walk the whole table in one request: the caller gets a short (even empty)
 * page and a NextToken, as Systems Manager does.
 */
const MAX_EXAMINED = 2000;

export interface PageScan<R> {
  pageSize: number;
  /** Cursor from the NextToken: the last name_key the previous page examined. */
  after?: string;
  fetch(after: string | undefined, limit: number): Promise<ParameterRecord[]>;
  /** Decides, for a whole batch at once (so lookups are batched), what each row yields; undefined skips it. */
  pick(batch: ParameterRecord[]): Promise<(R | undefined)[]>;
}

/**
 * Walks parameters in name_key order from a cursor, batch by batch, until
 * the page is full, the rows run out or the examination budget is spent.
 * `after` is set when there may be more.
 */
export async function collectPage<R>(scan: PageScan<R>): Promise<{ items: R[]; after?: string }> {
  const items: R[] = [];
  let after = scan.after;
  let examined = 0;
  for (;;) {
    const batch = await scan.fetch(after, SCAN_BATCH);
    const picks = await scan.pick(batch);
    for (let i = 0; i < batch.length; i++) {
      after = batch[i]!.nameKey;
      examined++;
      const pick = picks[i];
      if (pick !== undefined) items.push(pick);
      if (items.length === scan.pageSize) {
        const more = i < batch.length - 1 || batch.length === SCAN_BATCH;
        return more ? { items, after } : { items };
      }
    }
    if (batch.length < SCAN_BATCH) return { items };
    if (examined >= MAX_EXAMINED) return { items, after };
  }
}
