import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import type { Migration } from '../migrate.js';

/** Hybrid activations, managed nodes and tag-query resource groups. */
export const migration0002ManagedNodes: Migration = {
  id: '0002-managed-nodes',
  async up(db: Kysely<any>, dialect: Dialect) {
    const bytewise = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.modifyFront(sql`collate "C"`) : c);

    await db.schema
      .createTable('activations')
      .addColumn('activation_id', 'text', (c) => bytewise(c).primaryKey())
      // The code is shown once; only its SHA-256 is kept.
      .addColumn('code_hash', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('default_instance_name', 'text')
      .addColumn('iam_role', 'text', (c) => c.notNull())
      .addColumn('registration_limit', 'integer', (c) => c.notNull())
      .addColumn('registrations_count', 'integer', (c) => c.notNull())
      .addColumn('expiration_date', 'bigint', (c) => c.notNull())
      .addColumn('created_date', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('managed_nodes')
      .addColumn('instance_id', 'text', (c) => bytewise(c).primaryKey())
      .addColumn('activation_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text')
      .addColumn('iam_role', 'text')
      /** Ed25519 public key, SPKI DER base64: every connection proves possession of the private half. */
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('computer_name', 'text')
      .addColumn('ip_address', 'text')
      .addColumn('platform_type', 'text')
      .addColumn('platform_name', 'text')
      .addColumn('platform_version', 'text')
      .addColumn('agent_version', 'text')
      /** Online | ConnectionLost | Inactive (deregistered). */
      .addColumn('ping_status', 'text', (c) => c.notNull())
      .addColumn('last_ping_at', 'bigint', (c) => c.notNull())
      .addColumn('registered_at', 'bigint', (c) => c.notNull())
      .addColumn('deregistered_at', 'bigint')
      .execute();
    await db.schema.createIndex('managed_nodes_ping').on('managed_nodes').columns(['ping_status', 'last_ping_at']).execute();

    await db.schema
      .createTable('resource_groups')
      .addColumn('name', 'text', (c) => bytewise(c).primaryKey())
      .addColumn('arn', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('query_type', 'text', (c) => c.notNull())
      .addColumn('query', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
