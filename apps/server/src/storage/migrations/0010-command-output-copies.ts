import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import type { Migration } from '../migrate.js';

/** The output of finished command steps, copied to the shared database for the other replicas. */
export const migration0010CommandOutputCopies: Migration = {
  id: '0010-command-output-copies',
  async up(db: Kysely<any>, dialect: Dialect) {
    const bytewise = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.modifyFront(sql`collate "C"`) : c);
    await db.schema
      .createTable('command_output_copies')
      .addColumn('command_id', 'text', (c) => c.notNull())
      .addColumn('instance_id', 'text', (c) => bytewise(c).notNull())
      .addColumn('step', 'text', (c) => c.notNull())
      .addColumn('stream', 'text', (c) => c.notNull())
      .addColumn('content', 'text', (c) => c.notNull())
      .addColumn('total_bytes', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('command_output_copies_pk', ['command_id', 'instance_id', 'step', 'stream'])
      .execute();
  },
};
