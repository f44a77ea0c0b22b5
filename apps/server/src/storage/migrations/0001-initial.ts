import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import type { Migration } from '../migrate.js';

export const migration0001Initial: Migration = {
  id: '0001-initial',
  async up(db: Kysely<any>, dialect: Dialect) {
    // Names are compared and paged byte-wise on both dialects; PostgreSQL's
    // default collation would sort "/a-b" and "/a/b" differently from SQLite.
    const bytewise = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.modifyFront(sql`collate "C"`) : c);
    const autoId = dialect === 'postgres' ? 'bigserial' : 'integer';
    const autoIdColumn = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());

    await db.schema
      .createTable('iam_users')
      .addColumn('user_name', 'text', (c) => bytewise(c).primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().unique())
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('arn', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('iam_access_keys')
      .addColumn('access_key_id', 'text', (c) => c.primaryKey())
      .addColumn('user_name', 'text', (c) => c.references('iam_users.user_name').onDelete('restrict'))
      .addColumn('secret_sealed', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('iam_access_keys_user').on('iam_access_keys').column('user_name').execute();

    await db.schema
      .createTable('iam_user_policies')
      .addColumn('user_name', 'text', (c) => c.notNull().references('iam_users.user_name').onDelete('restrict'))
      .addColumn('policy_name', 'text', (c) => bytewise(c).notNull())
      .addColumn('document', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('iam_user_policies_pk', ['user_name', 'policy_name'])
      .execute();

    await db.schema
      .createTable('audit_events')
      .addColumn('id', autoId, autoIdColumn)
      .addColumn('event_time', 'bigint', (c) => c.notNull())
      .addColumn('request_id', 'text', (c) => c.notNull())
      .addColumn('principal_arn', 'text', (c) => c.notNull())
      .addColumn('access_key_id', 'text', (c) => c.notNull())
      .addColumn('operation', 'text', (c) => c.notNull())
      .addColumn('resources', 'text', (c) => c.notNull())
      .addColumn('source_ip', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('error_message', 'text')
      .execute();
    await db.schema.createIndex('audit_events_time').on('audit_events').column('event_time').execute();

    await db.schema
      .createTable('parameters')
      .addColumn('name_key', 'text', (c) => bytewise(c).primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('parent_path', 'text', (c) => bytewise(c).notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('key_id', 'text')
      .addColumn('description', 'text')
      .addColumn('allowed_pattern', 'text')
      .addColumn('tier', 'text', (c) => c.notNull())
      .addColumn('data_type', 'text', (c) => c.notNull())
      .addColumn('policies', 'text')
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('last_modified_date', 'bigint', (c) => c.notNull())
      .addColumn('last_modified_user', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('parameters_parent').on('parameters').columns(['parent_path', 'name_key']).execute();

    await db.schema
      .createTable('parameter_versions')
      .addColumn('name_key', 'text', (c) => bytewise(c).notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('key_id', 'text')
      .addColumn('description', 'text')
      .addColumn('allowed_pattern', 'text')
      .addColumn('tier', 'text', (c) => c.notNull())
      .addColumn('data_type', 'text', (c) => c.notNull())
      .addColumn('policies', 'text')
      .addColumn('last_modified_date', 'bigint', (c) => c.notNull())
      .addColumn('last_modified_user', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('parameter_versions_pk', ['name_key', 'version'])
      .execute();

    await db.schema
      .createTable('parameter_labels')
      .addColumn('name_key', 'text', (c) => bytewise(c).notNull())
      .addColumn('label', 'text', (c) => bytewise(c).notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('parameter_labels_pk', ['name_key', 'label'])
      .execute();

    await db.schema
      .createTable('resource_tags')
      .addColumn('resource_type', 'text', (c) => c.notNull())
      .addColumn('resource_id', 'text', (c) => bytewise(c).notNull())
      .addColumn('tag_key', 'text', (c) => bytewise(c).notNull())
      .addColumn('tag_value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('resource_tags_pk', ['resource_type', 'resource_id', 'tag_key'])
      .execute();
    await db.schema.createIndex('resource_tags_key').on('resource_tags').columns(['resource_type', 'tag_key', 'tag_value']).execute();

    await db.schema
      .createTable('outbox_events')
      .addColumn('id', autoId, autoIdColumn)
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('occurred_at', 'bigint', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .execute();
  },
};
