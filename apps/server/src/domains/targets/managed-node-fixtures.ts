import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import { deleteResourceTags, upsertResourceTags } from '../tags/tags.store.js';
import { MANAGED_NODE_TAG_RESOURCE } from '../resource-groups/node-membership.js';

/**
 * Managed nodes written straight into the tables, for tests of what reads
 * them (groups, targeting). Registration itself belongs to domains/nodes;
 * these rows carry only what readers look at.
 */

export interface TestNode {
  id: string;
  status?: 'Online' | 'ConnectionLost' | 'Inactive';
  tags?: Record<string, string>;
}

/** The n-th test node id: `mi-` and 17 hex digits, so ids sort in n order. */
export function testNodeId(n: number): string {
  return `mi-${n.toString(16).padStart(17, '0')}`;
}

// Rows per INSERT: well under SQLite's and PostgreSQL's bound-parameter limits.
const BATCH = 500;

/** Inserts nodes and their tags. */
export async function insertTestNodes(db: Kysely<Database>, nodes: TestNode[]): Promise<void> {
  const now = Date.now();
  for (let i = 0; i < nodes.length; i += BATCH) {
    const batch = nodes.slice(i, i + BATCH);
    await db
      .insertInto('managed_nodes')
      .values(
        batch.map((n) => ({
          instance_id: n.id,
          activation_id: 'test-activation',
          name: null,
          iam_role: null,
          public_key: 'test-key',
          computer_name: `host-${n.id}`,
          ip_address: '192.0.2.1',
          platform_type: 'Linux',
          platform_name: 'Debian GNU/Linux',
          platform_version: '12',
          agent_version: '0.1.0',
          ping_status: n.status ?? 'Online',
          last_ping_at: now,
          registered_at: now,
          deregistered_at: n.status === 'Inactive' ? now : null,
        })),
      )
      .execute();
    const tags = batch.flatMap((n) =>
      Object.entries(n.tags ?? {}).map(([key, value]) => ({ resource_type: MANAGED_NODE_TAG_RESOURCE, resource_id: n.id, tag_key: key, tag_value: value })),
    );
    for (let j = 0; j < tags.length; j += BATCH) await db.insertInto('resource_tags').values(tags.slice(j, j + BATCH)).execute();
  }
}

/** Adds or overwrites tags on a node. */
export async function tagTestNode(db: Kysely<Database>, id: string, tags: Record<string, string>): Promise<void> {
  await upsertResourceTags(db, MANAGED_NODE_TAG_RESOURCE, id, Object.entries(tags).map(([Key, Value]) => ({ Key, Value })));
}

/** Removes tags from a node. */
export async function untagTestNode(db: Kysely<Database>, id: string, keys: string[]): Promise<void> {
  await deleteResourceTags(db, MANAGED_NODE_TAG_RESOURCE, id, keys);
}

/** Marks a node deregistered, as DeregisterManagedInstance leaves it. */
export async function deregisterTestNode(db: Kysely<Database>, id: string): Promise<void> {
  await db.updateTable('managed_nodes').set({ ping_status: 'Inactive', deregistered_at: Date.now() }).where('instance_id', '=', id).execute();
}

/** A TAG_FILTERS_1_0 ResourceQuery for managed nodes, as a client would write it. */
export function nodeTagQuery(tagFilters: { Key: string; Values?: string[] }[], resourceTypeFilters: string[] = ['AWS::SSM::ManagedInstance']) {
  return { Type: 'TAG_FILTERS_1_0', Query: JSON.stringify({ ResourceTypeFilters: resourceTypeFilters, TagFilters: tagFilters }) };
}
