import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import type { Migration } from '../migrate.js';

/**
 * Maintenance windows: the windows, their registered targets and tasks, and
 * what each run did (execution → task executions → one invocation per node).
 * The runs are driven by durable timers (migration 0009).
 */
export const migration0011MaintenanceWindows: Migration = {
  id: '0011-maintenance-windows',
  async up(db: Kysely<any>, dialect: Dialect) {
    const bytewise = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.modifyFront(sql`collate "C"`) : c);

    await db.schema
      .createTable('maintenance_windows')
      .addColumn('window_id', 'text', (c) => bytewise(c).primaryKey())
      .addColumn('name', 'text', (c) => bytewise(c).notNull())
      .addColumn('description', 'text')
      .addColumn('start_date', 'text')
      .addColumn('end_date', 'text')
      .addColumn('schedule', 'text', (c) => c.notNull())
      .addColumn('schedule_timezone', 'text')
      .addColumn('schedule_offset', 'integer')
      .addColumn('duration', 'integer', (c) => c.notNull())
      .addColumn('cutoff', 'integer', (c) => c.notNull())
      .addColumn('allow_unassociated_targets', 'integer', (c) => c.notNull())
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('client_token', 'text')
      .addColumn('request_hash', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('modified_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('maintenance_windows_client_token').on('maintenance_windows').column('client_token').unique().execute();

    await db.schema
      .createTable('maintenance_window_targets')
      .addColumn('window_target_id', 'text', (c) => bytewise(c).primaryKey())
      .addColumn('window_id', 'text', (c) => bytewise(c).notNull())
      .addColumn('resource_type', 'text', (c) => c.notNull())
      .addColumn('targets', 'text', (c) => c.notNull())
      .addColumn('owner_information', 'text')
      .addColumn('name', 'text')
      .addColumn('description', 'text')
      .addColumn('client_token', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('maintenance_window_targets_window').on('maintenance_window_targets').column('window_id').execute();

    await db.schema
      .createTable('maintenance_window_tasks')
      .addColumn('window_task_id', 'text', (c) => bytewise(c).primaryKey())
      .addColumn('window_id', 'text', (c) => bytewise(c).notNull())
      .addColumn('task_arn', 'text', (c) => c.notNull())
      .addColumn('task_type', 'text', (c) => c.notNull())
      .addColumn('targets', 'text', (c) => c.notNull())
      .addColumn('service_role_arn', 'text')
      .addColumn('task_parameters', 'text')
      .addColumn('invocation_parameters', 'text')
      .addColumn('logging_info', 'text')
      .addColumn('priority', 'integer', (c) => c.notNull())
      .addColumn('max_concurrency', 'text')
      .addColumn('max_errors', 'text')
      .addColumn('name', 'text')
      .addColumn('description', 'text')
      .addColumn('cutoff_behavior', 'text', (c) => c.notNull())
      .addColumn('client_token', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('maintenance_window_tasks_window').on('maintenance_window_tasks').column('window_id').execute();

    await db.schema
      .createTable('maintenance_window_executions')
      .addColumn('window_execution_id', 'text', (c) => bytewise(c).primaryKey())
      .addColumn('window_id', 'text', (c) => bytewise(c).notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('status_details', 'text')
      // The time the schedule named; the run may start a little later (a timer fires late after a restart).
      .addColumn('scheduled_at', 'bigint', (c) => c.notNull())
      .addColumn('start_time', 'bigint', (c) => c.notNull())
      .addColumn('end_time', 'bigint')
      // No task starts from this time on (start + Duration - Cutoff).
      .addColumn('cutoff_at', 'bigint', (c) => c.notNull())
      // The window closes (start + Duration).
      .addColumn('ends_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('maintenance_window_executions_window').on('maintenance_window_executions').columns(['window_id', 'start_time']).execute();

    await db.schema
      .createTable('maintenance_window_task_executions')
      .addColumn('task_execution_id', 'text', (c) => bytewise(c).primaryKey())
      .addColumn('window_execution_id', 'text', (c) => bytewise(c).notNull())
      .addColumn('window_id', 'text', (c) => c.notNull())
      .addColumn('window_task_id', 'text', (c) => c.notNull())
      // The task as registered when the run began: later edits change later runs only.
      .addColumn('task', 'text', (c) => c.notNull())
      .addColumn('priority', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('status_details', 'text')
      .addColumn('start_time', 'bigint')
      .addColumn('end_time', 'bigint')
      .addColumn('command_id', 'text')
      .execute();
    await db.schema.createIndex('maintenance_window_task_executions_execution').on('maintenance_window_task_executions').column('window_execution_id').execute();

    await db.schema
      .createTable('maintenance_window_task_invocations')
      .addColumn('invocation_id', 'text', (c) => bytewise(c).primaryKey())
      .addColumn('window_execution_id', 'text', (c) => c.notNull())
      .addColumn('task_execution_id', 'text', (c) => bytewise(c).notNull())
      .addColumn('execution_id', 'text', (c) => c.notNull())
      .addColumn('instance_id', 'text', (c) => c.notNull())
      .addColumn('window_target_id', 'text')
      .addColumn('owner_information', 'text')
      .addColumn('parameters', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('status_details', 'text')
      .addColumn('start_time', 'bigint')
      .addColumn('end_time', 'bigint')
      .addColumn('position', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('maintenance_window_task_invocations_task').on('maintenance_window_task_invocations').columns(['task_execution_id', 'position']).execute();
  },
};
