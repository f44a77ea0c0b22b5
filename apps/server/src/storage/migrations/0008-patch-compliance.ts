import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import type { Migration } from '../migrate.js';

/**
 * Patch compliance (issue 5): what the last aws:runPatchBaseline operation
 * found on each node (its state and one row per patch), the history of
 * operations, the fleet's catalog of package versions, and the compliance
 * API's items and per-resource summaries (type `Patch` from reports,
 * `Custom:…` from PutComplianceItems).
 */
export const migration0008PatchCompliance: Migration = {
  id: '0008-patch-compliance',
  async up(db: Kysely<any>, dialect: Dialect) {
    // Byte order for the columns pages are sorted by, so both databases page the same way.
    const bytewise = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.modifyFront(sql`collate "C"`) : c);
    const counts = [
      'installed_count',
      'installed_other_count',
      'installed_pending_reboot_count',
      'installed_rejected_count',
      'missing_count',
      'failed_count',
      'not_applicable_count',
      'critical_non_compliant_count',
      'security_non_compliant_count',
      'other_non_compliant_count',
    ];

    let states = db.schema
      .createTable('instance_patch_states')
      .addColumn('instance_id', 'text', (c) => bytewise(c).primaryKey())
      .addColumn('patch_group', 'text', (c) => bytewise(c).notNull())
      .addColumn('baseline_id', 'text', (c) => c.notNull())
      .addColumn('baseline_override', 'integer', (c) => c.notNull())
      .addColumn('snapshot_id', 'text')
      .addColumn('operation', 'text', (c) => c.notNull())
      .addColumn('operation_start_time', 'bigint', (c) => c.notNull())
      .addColumn('operation_end_time', 'bigint', (c) => c.notNull())
      .addColumn('reboot_option', 'text', (c) => c.notNull())
      .addColumn('last_no_reboot_install_operation_time', 'bigint')
      .addColumn('operating_system', 'text', (c) => c.notNull())
      .addColumn('product', 'text', (c) => c.notNull())
      .addColumn('command_id', 'text', (c) => c.notNull())
      .addColumn('compliant', 'integer', (c) => c.notNull())
      .addColumn('reboot_pending', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull());
    for (const name of counts) states = states.addColumn(name, 'integer', (c) => c.notNull());
    await states.execute();
    await db.schema.createIndex('instance_patch_states_group').on('instance_patch_states').columns(['patch_group', 'instance_id']).execute();

    await db.schema
      .createTable('instance_patches')
      .addColumn('instance_id', 'text', (c) => bytewise(c).notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('kb_id', 'text', (c) => bytewise(c).notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('arch', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('installed_version', 'text', (c) => c.notNull())
      .addColumn('classification', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('installed_time', 'bigint')
      .addColumn('cve_ids', 'text')
      .addColumn('compliance_level', 'text', (c) => c.notNull())
      .addColumn('security', 'integer', (c) => c.notNull())
      .addColumn('approval', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('instance_patches_pk', ['instance_id', 'position'])
      .execute();
    // DescribeInstancePatches pages by KBId.
    await db.schema.createIndex('instance_patches_kb').on('instance_patches').columns(['instance_id', 'kb_id', 'position']).execute();

    await db.schema
      .createTable('patch_operations')
      .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
      .addColumn('instance_id', 'text', (c) => bytewise(c).notNull())
      .addColumn('command_id', 'text', (c) => c.notNull())
      .addColumn('step', 'text', (c) => c.notNull())
      .addColumn('operation', 'text', (c) => c.notNull())
      .addColumn('baseline_id', 'text', (c) => c.notNull())
      .addColumn('patch_group', 'text', (c) => c.notNull())
      .addColumn('reboot_option', 'text', (c) => c.notNull())
      .addColumn('start_time', 'bigint', (c) => c.notNull())
      .addColumn('end_time', 'bigint', (c) => c.notNull())
      .addColumn('installed', 'text', (c) => c.notNull())
      .addColumn('failed', 'text', (c) => c.notNull())
      .addColumn('rebooted', 'integer', (c) => c.notNull())
      .addColumn('recorded_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('patch_operations_instance').on('patch_operations').columns(['instance_id', 'id']).execute();
    // A result is recorded once per invocation and step, even if a report were handed over twice.
    await db.schema.createIndex('patch_operations_invocation').unique().on('patch_operations').columns(['command_id', 'instance_id', 'step']).execute();

    await db.schema
      .createTable('patch_catalog')
      .addColumn('product', 'text', (c) => bytewise(c).notNull())
      .addColumn('name', 'text', (c) => bytewise(c).notNull())
      .addColumn('arch', 'text', (c) => bytewise(c).notNull())
      .addColumn('version', 'text', (c) => bytewise(c).notNull())
      .addColumn('operating_system', 'text', (c) => c.notNull())
      .addColumn('classification', 'text')
      .addColumn('severity', 'text')
      .addColumn('priority', 'text')
      .addColumn('section', 'text')
      .addColumn('repository', 'text')
      .addColumn('security', 'integer')
      .addColumn('release_date', 'bigint')
      .addColumn('title', 'text')
      .addColumn('cve_ids', 'text')
      .addColumn('advisory_ids', 'text')
      .addColumn('bugzilla_ids', 'text')
      .addColumn('last_reported_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('patch_catalog_pk', ['product', 'name', 'arch', 'version'])
      .execute();
    await db.schema.createIndex('patch_catalog_os').on('patch_catalog').columns(['operating_system', 'product', 'name']).execute();

    await db.schema
      .createTable('compliance_summaries')
      .addColumn('resource_type', 'text', (c) => bytewise(c).notNull())
      .addColumn('resource_id', 'text', (c) => bytewise(c).notNull())
      .addColumn('compliance_type', 'text', (c) => bytewise(c).notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('overall_severity', 'text', (c) => c.notNull())
      .addColumn('compliant_count', 'integer', (c) => c.notNull())
      .addColumn('non_compliant_count', 'integer', (c) => c.notNull())
      .addColumn('compliant_severities', 'text', (c) => c.notNull())
      .addColumn('non_compliant_severities', 'text', (c) => c.notNull())
      .addColumn('execution_time', 'bigint', (c) => c.notNull())
      .addColumn('execution_id', 'text')
      .addColumn('execution_type', 'text')
      .addColumn('item_content_hash', 'text')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('compliance_summaries_pk', ['resource_type', 'resource_id', 'compliance_type'])
      .execute();
    await db.schema.createIndex('compliance_summaries_type').on('compliance_summaries').columns(['compliance_type', 'status']).execute();

    await db.schema
      .createTable('compliance_items')
      .addColumn('resource_type', 'text', (c) => bytewise(c).notNull())
      .addColumn('resource_id', 'text', (c) => bytewise(c).notNull())
      .addColumn('compliance_type', 'text', (c) => bytewise(c).notNull())
      .addColumn('item_key', 'text', (c) => bytewise(c).notNull())
      .addColumn('item_id', 'text')
      .addColumn('title', 'text')
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('details', 'text')
      .addPrimaryKeyConstraint('compliance_items_pk', ['resource_type', 'resource_id', 'compliance_type', 'item_key'])
      .execute();
  },
};
