import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import type { Migration } from '../migrate.js';

/**
 * OpsCenter OpsItems: one row per item, its operational data, notification
 * topics and related items kept as JSON. `dedup_key` holds the item's
 * `/aws/dedup` string only while the item is open, so the unique index lets
 * one open item per string exist even when replicas create at the same time.
 */
export const migration0012OpsItems: Migration = {
  id: '0012-ops-items',
  async up(db: Kysely<any>, dialect: Dialect) {
    const bytewise = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.modifyFront(sql`collate "C"`) : c);

    await db.schema
      .createTable('ops_items')
      .addColumn('ops_item_id', 'text', (c) => bytewise(c).primaryKey())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('ops_item_type', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('priority', 'integer')
      .addColumn('severity', 'text')
      .addColumn('category', 'text')
      .addColumn('operational_data', 'text', (c) => c.notNull())
      .addColumn('notifications', 'text', (c) => c.notNull())
      .addColumn('related_ops_items', 'text', (c) => c.notNull())
      .addColumn('planned_start_time', 'bigint')
      .addColumn('planned_end_time', 'bigint')
      .addColumn('actual_start_time', 'bigint')
      .addColumn('actual_end_time', 'bigint')
      .addColumn('dedup_key', 'text', (c) => bytewise(c))
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('last_modified_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('modified_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('ops_items_dedup_key').on('ops_items').column('dedup_key').unique().execute();
    await db.schema.createIndex('ops_items_created').on('ops_items').columns(['created_at', 'ops_item_id']).execute();
  },
};
