import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import type { Migration } from '../migrate.js';

/** SSM documents (the account's own; the built-in ones are served from code) and their versions. */
export const migration0004Documents: Migration = {
  id: '0004-documents',
  async up(db: Kysely<any>, dialect: Dialect) {
    // Names page in byte order on both dialects (ListDocuments merges them with the built-ins in code).
    const bytewise = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.modifyFront(sql`collate "C"`) : c);

    await db.schema
      .createTable('documents')
      .addColumn('name', 'text', (c) => bytewise(c).primaryKey())
      .addColumn('document_type', 'text', (c) => c.notNull())
      .addColumn('default_version', 'integer', (c) => c.notNull())
      .addColumn('latest_version', 'integer', (c) => c.notNull())
      // Highest number ever given: deleting the latest version must not let its number be reused.
      .addColumn('last_version_number', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('document_versions')
      .addColumn('name', 'text', (c) => bytewise(c).notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('version_name', 'text')
      .addColumn('display_name', 'text')
      .addColumn('document_format', 'text', (c) => c.notNull())
      .addColumn('content', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('schema_version', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('parameters', 'text', (c) => c.notNull())
      .addColumn('platform_types', 'text', (c) => c.notNull())
      .addColumn('target_type', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('document_versions_pk', ['name', 'version'])
      .execute();
    // NULLs are distinct on both dialects, so only named versions compete for a name.
    await db.schema.createIndex('document_versions_version_name').on('document_versions').columns(['name', 'version_name']).unique().execute();
    await db.schema.createIndex('document_versions_hash').on('document_versions').columns(['name', 'hash']).execute();
  },
};
