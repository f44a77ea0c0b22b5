import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import type { Migration } from '../migrate.js';

/** Outbox consumer cursors and leases; SNS-shaped topics, subscriptions, published messages and their deliveries. */
export const migration0005Notifications: Migration = {
  id: '0005-notifications',
  async up(db: Kysely<any>, dialect: Dialect) {
    const bytewise = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.modifyFront(sql`collate "C"`) : c);
    const autoId = dialect === 'postgres' ? 'bigserial' : 'integer';
    const autoIdColumn = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());

    // One row per named consumer: how far it has read the outbox, and which replica may read it now.
    await db.schema
      .createTable('event_consumers')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('position', 'bigint', (c) => c.notNull())
      .addColumn('lease_owner', 'text')
      .addColumn('lease_expires_at', 'bigint')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();

    // No message can have been published before this migration created the topic tables, so the
    // notifications consumer starts at the end of the outbox instead of reading all of its history.
    const { max } = await db
      .selectFrom('outbox_events')
      .select((eb) => eb.fn.max('id').as('max'))
      .executeTakeFirstOrThrow();
    await db
      .insertInto('event_consumers')
      .values({ name: 'notifications', position: Number(max ?? 0), lease_owner: null, lease_expires_at: null, updated_at: Date.now() })
      .execute();

    await db.schema
      .createTable('notification_topics')
      .addColumn('name', 'text', (c) => bytewise(c).primaryKey())
      .addColumn('arn', 'text', (c) => c.notNull().unique())
      /** JSON map of the topic attributes that were set (DisplayName, …). */
      .addColumn('attributes', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('notification_subscriptions')
      .addColumn('arn', 'text', (c) => bytewise(c).primaryKey())
      .addColumn('topic_arn', 'text', (c) => bytewise(c).notNull())
      .addColumn('protocol', 'text', (c) => c.notNull())
      // Webhook URLs carry credentials (Slack's token is in its path), so the endpoint is sealed and only a redacted form is readable.
      .addColumn('endpoint_sealed', 'text', (c) => c.notNull())
      .addColumn('endpoint_display', 'text', (c) => c.notNull())
      .addColumn('signing_secret_sealed', 'text')
      .addColumn('attributes', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('notification_subscriptions_topic').on('notification_subscriptions').columns(['topic_arn', 'arn']).execute();

    await db.schema
      .createTable('notification_messages')
      .addColumn('message_id', 'text', (c) => c.primaryKey())
      .addColumn('topic_arn', 'text', (c) => c.notNull())
      .addColumn('subject', 'text')
      .addColumn('message', 'text', (c) => c.notNull())
      .addColumn('message_structure', 'text')
      .addColumn('message_attributes', 'text')
      .addColumn('published_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('notification_deliveries')
      .addColumn('id', autoId, autoIdColumn)
      .addColumn('message_id', 'text', (c) => c.notNull())
      .addColumn('subscription_arn', 'text', (c) => bytewise(c).notNull())
      .addColumn('topic_arn', 'text', (c) => bytewise(c).notNull())
      .addColumn('protocol', 'text', (c) => c.notNull())
      .addColumn('endpoint_display', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', 'bigint')
      .addColumn('lease_owner', 'text')
      .addColumn('lease_expires_at', 'bigint')
      .addColumn('last_error', 'text')
      .addColumn('last_attempt_at', 'bigint')
      .addColumn('delivered_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      // Fan-out may run twice for one message (at-least-once); this keeps it to one delivery per subscription.
      .addUniqueConstraint('notification_deliveries_once', ['message_id', 'subscription_arn'])
      .execute();
    await db.schema.createIndex('notification_deliveries_due').on('notification_deliveries').columns(['status', 'next_attempt_at']).execute();
    await db.schema.createIndex('notification_deliveries_topic').on('notification_deliveries').columns(['topic_arn', 'id']).execute();
    await db.schema.createIndex('notification_deliveries_subscription').on('notification_deliveries').columns(['subscription_arn', 'id']).execute();
  },
};
