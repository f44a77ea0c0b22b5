import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import type { Migration } from '../migrate.js';

/** Run Command: commands and one invocation row per targeted node (the database is the delivery queue). */
export const migration0006Commands: Migration = {
  id: '0006-commands',
  async up(db: Kysely<any>, dialect: Dialect) {
    const bytewise = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.modifyFront(sql`collate "C"`) : c);

    await db.schema
      .createTable('commands')
      .addColumn('command_id', 'text', (c) => c.primaryKey())
      .addColumn('document_name', 'text', (c) => bytewise(c).notNull())
      .addColumn('document_version', 'text', (c) => c.notNull())
      .addColumn('comment', 'text', (c) => c.notNull())
      .addColumn('parameters', 'text', (c) => c.notNull())
      .addColumn('instance_ids', 'text', (c) => c.notNull())
      .addColumn('targets', 'text', (c) => c.notNull())
      .addColumn('requested_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_after', 'bigint', (c) => c.notNull())
      .addColumn('timeout_seconds', 'integer', (c) => c.notNull())
      .addColumn('execution_timeout_seconds', 'integer', (c) => c.notNull())
      .addColumn('max_concurrency', 'text', (c) => c.notNull())
      .addColumn('max_errors', 'text', (c) => c.notNull())
      .addColumn('notification_config', 'text')
      .addColumn('service_role_arn', 'text')
      .addColumn('output_s3_bucket_name', 'text')
      .addColumn('output_s3_key_prefix', 'text')
      .addColumn('requested_by', 'text', (c) => c.notNull())
      .addColumn('step_names', 'text', (c) => c.notNull())
      .addColumn('steps_sealed', 'text', (c) => c.notNull())
      .addColumn('targeted_by_tag', 'integer', (c) => c.notNull())
      .addColumn('cancel_requested', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('status_details', 'text', (c) => c.notNull())
      .addColumn('target_count', 'integer', (c) => c.notNull())
      .addColumn('completed_count', 'integer', (c) => c.notNull())
      .addColumn('error_count', 'integer', (c) => c.notNull())
      .addColumn('delivery_timed_out_count', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('commands_requested').on('commands').columns(['requested_at', 'command_id']).execute();
    await db.schema.createIndex('commands_status').on('commands').columns(['status']).execute();

    await db.schema
      .createTable('command_invocations')
      .addColumn('command_id', 'text', (c) => c.notNull())
      .addColumn('instance_id', 'text', (c) => bytewise(c).notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('instance_name', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('status_details', 'text', (c) => c.notNull())
      .addColumn('started_at', 'bigint')
      .addColumn('delivery_deadline', 'bigint')
      .addColumn('execution_deadline', 'bigint')
      .addColumn('last_sent_at', 'bigint')
      .addColumn('accepted_at', 'bigint')
      .addColumn('cancel_requested', 'integer', (c) => c.notNull())
      .addColumn('cancel_sent_at', 'bigint')
      .addColumn('execution_start', 'bigint')
      .addColumn('execution_end', 'bigint')
      .addColumn('response_code', 'integer', (c) => c.notNull())
      .addColumn('plugins', 'text')
      .addColumn('message', 'text')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('command_invocations_pk', ['command_id', 'instance_id'])
      .execute();
    // ListCommandInvocations / ListCommands by node, newest first; and pending work of one node when it connects.
    await db.schema.createIndex('command_invocations_instance').on('command_invocations').columns(['instance_id', 'command_id']).execute();
  },
};
