type Listener = () => void;

const listeners = new Set<Listener>();

/**
 * Tells this process's outbox consumers that an event was just committed, so
 * they read now instead of at their next poll. Only a hint: consumers poll
 * anyway (events written by other replicas, or by code that does not call
 * this, are picked up within a poll interval). Call it after the commit,
 * never inside the transaction, or the consumer may read before the event is
 * visible.
 */
export function signalOutboxWritten(): void {
  for (const listener of listeners) listener();
}

/** Subscribes to `signalOutboxWritten`; returns the unsubscribe function. */
export function onOutboxWritten(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
