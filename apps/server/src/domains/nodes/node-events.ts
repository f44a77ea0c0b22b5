import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';

/** A managed node's connection status, as DescribeInstanceInformation reports it. */
export type PingStatus = Database['managed_nodes']['ping_status'];
export const PING_STATUSES: readonly PingStatus[] = ['Online', 'ConnectionLost', 'Inactive'];

/**
 * Outbox event types of the nodes domain (DESIGN.md, "Events"). Tag changes
 * of a node are `node.tags`, with the payload of `resource.tags.change`.
 */
export const NODE_EVENTS = {
  registered: 'node.registered',
  status: 'node.status',
  tags: 'node.tags',
} as const;

/** Payload of `node.registered`. A new node starts Online: registering is the agent's first contact. */
export interface NodeRegisteredEvent {
  instanceId: string;
  activationId: string;
  name: string | null;
  pingStatus: 'Online';
}

/** Payload of `node.status`. */
export interface NodeStatusEvent {
  instanceId: string;
  from: PingStatus;
  to: PingStatus;
}

// Three bound values per row; SQLite's limit is 32,766 and PostgreSQL's 65,535.
const EVENT_ROWS_PER_INSERT = 1000;

/** Writes events of one type inside the caller's transaction, a few statements for any number of them. */
export async function writeNodeEvents(
  trx: Kysely<Database>,
  type: (typeof NODE_EVENTS)[keyof typeof NODE_EVENTS],
  at: number,
  payloads: readonly (NodeRegisteredEvent | NodeStatusEvent)[],
): Promise<void> {
  for (let i = 0; i < payloads.length; i += EVENT_ROWS_PER_INSERT) {
    const rows = payloads.slice(i, i + EVENT_ROWS_PER_INSERT).map((p) => ({ event_type: type, occurred_at: at, payload: JSON.stringify(p) }));
    await trx.insertInto('outbox_events').values(rows).execute();
  }
}
