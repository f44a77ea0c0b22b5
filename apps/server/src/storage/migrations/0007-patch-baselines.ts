import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import type { Migration } from '../migrate.js';

/**
 * Patch Manager's baselines and patch groups (issue 5). The predefined
 * AWS-* baselines are served from code, like the built-in documents: only
 * the account's own baselines, the patch-group registrations and the
 * defaults an operator registered are rows. An operating system without a
 * row in patch_default_baselines has its predefined baseline as default.
 */
export const migration0007PatchBaselines: Migration = {
  id: '0007-patch-baselines',
  async up(db: Kysely<any>, dialect: Dialect) {
    // Names and patch groups page in byte order on both dialects.
    const bytewise = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.modifyFront(sql`collate "C"`) : c);

    await db.schema
      .createTable('patch_baselines')
      .addColumn('baseline_id', 'text', (c) => bytewise(c).primaryKey())
      .addColumn('name', 'text', (c) => bytewise(c).notNull())
      .addColumn('description', 'text')
      .addColumn('operating_system', 'text', (c) => c.notNull())
      .addColumn('rules', 'text', (c) => c.notNull())
      .addColumn('client_token', 'text')
      .addColumn('request_hash', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('modified_at', 'bigint', (c) => c.notNull())
      .execute();
    // NULLs are distinct on both dialects: only requests that carried a ClientToken compete.
    await db.schema.createIndex('patch_baselines_client_token').on('patch_baselines').column('client_token').unique().execute();
    await db.schema.createIndex('patch_baselines_name').on('patch_baselines').columns(['name', 'baseline_id']).execute();

    await db.schema
      .createTable('patch_group_baselines')
      .addColumn('patch_group', 'text', (c) => bytewise(c).notNull())
      .addColumn('operating_system', 'text', (c) => bytewise(c).notNull())
      .addColumn('baseline_id', 'text', (c) => c.notNull())
      .addColumn('registered_at', 'bigint', (c) => c.notNull())
      // One baseline per patch group and operating system, as Systems Manager has it.
      .addPrimaryKeyConstraint('patch_group_baselines_pk', ['patch_group', 'operating_system'])
      .execute();
    // GetPatchBaseline's PatchGroups and DeletePatchBaseline's in-use check.
    await db.schema.createIndex('patch_group_baselines_baseline').on('patch_group_baselines').columns(['baseline_id', 'patch_group']).execute();

    await db.schema
      .createTable('patch_default_baselines')
      .addColumn('operating_system', 'text', (c) => c.primaryKey())
      .addColumn('baseline_id', 'text', (c) => c.notNull())
      .addColumn('registered_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
