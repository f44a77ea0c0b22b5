/**
 * Transaction ids around the moment a query ran (PostgreSQL's
 * `pg_current_snapshot()`): every transaction with an id below `xmin` has
 * ended; ids from `xmax` on had not started.
 */
export interface TransactionSnapshot {
  xmin: number;
  xmax: number;
}

/**
 * Decides when a hole in the outbox's id sequence can be stepped over.
 *
 * On PostgreSQL, ids are taken from a sequence when a row is inserted but
 * become visible when its transaction commits, so event 8 may be readable
 * while event 7 is still in an open transaction. A consumer that moved its
 * cursor past 8 would never see 7. A hole is therefore either an event on its
 * way (wait) or the id of a transaction that rolled back (skip, or the
 * consumer stalls for ever). This tells them apart without a timeout guess:
 *
 * 1. the first time a hole is seen while event `r` is visible, every id
 *    under `r` was already taken, by transactions that had started;
 * 2. a moment later (`settleMs`, so the inserting statement has surely been
 *    given its transaction id), the snapshot's `xmax` bounds their ids;
 * 3. once a later snapshot's `xmin` reaches that bound, all of them have
 *    ended, and any id under `r` still missing was rolled back.
 *
 * SQLite has one writer at a time and ids are assigned under its lock, so a
 * hole there is never an event on its way; its consumers do not need this.
 */
export class CommitHorizon {
  /** Missing ids up to and including this one belong to transactions known to have ended. */
  private deadThrough = 0;
  private pending: { below: number; seenAt: number; horizon?: number } | undefined;

  constructor(private readonly settleMs = 1000) {}

  /** True when the ids from `from` to `to` (inclusive) that are missing can be skipped. */
  canSkip(from: number, to: number): boolean {
    return from > to || to <= this.deadThrough;
  }

  /**
   * Records that id `firstMissing` is missing while ids up to `maxVisible`
   * are visible, at time `now`, given a snapshot taken before the rows were
   * read (so whatever had ended by then was visible to the read). True when
   * this resolved the hole: every id below the `maxVisible` of the first
   * sighting that is still missing may be stepped over, so one wait covers
   * all the holes of a backlog, not one wait per hole.
   */
  observe(firstMissing: number, maxVisible: number, now: number, snapshot: TransactionSnapshot): boolean {
    const pending = this.pending;
    if (!pending || firstMissing >= pending.below) {
      this.pending = { below: maxVisible, seenAt: now };
      return false;
    }
    if (pending.horizon === undefined) {
      if (now - pending.seenAt >= this.settleMs) pending.horizon = snapshot.xmax;
      return false;
    }
    if (snapshot.xmin < pending.horizon) return false;
    this.deadThrough = Math.max(this.deadThrough, pending.below - 1);
    this.pending = undefined;
    return true;
  }
}
