import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import type { Migration } from '../migrate.js';

/**
 * Durable timers (DESIGN.md, "Scheduling": due time, lease owner, lease
 * expiry), first used by Parameter Store's parameter policies, and the
 * account's Systems Manager service settings.
 */
export const migration0009DurableTimersAndServiceSettings: Migration = {
  id: '0009-durable-timers-and-service-settings',
  async up(db: Kysely<any>, dialect: Dialect) {
    const bytewise = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.modifyFront(sql`collate "C"`) : c);

    await db.schema
      .createTable('durable_timers')
      // Chosen by the scheduling domain, so scheduling the same thing again replaces its timer instead of adding one.
      .addColumn('timer_key', 'text', (c) => bytewise(c).primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('due_at', 'bigint', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('last_error', 'text')
      .addColumn('lease_owner', 'text')
      // A fresh token per claim: whoever finishes the timer must still hold this claim, not an older one of its own.
      .addColumn('lease_token', 'text')
      .addColumn('lease_expires_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('durable_timers_due').on('durable_timers').columns(['due_at']).execute();

    // Parameters given policies before policies were enforced get one timer per policy, due at
    // once: its handler works out the real time from the parameter and reschedules (same key and
    // payload as parameter-policies.ts writes; spelled out so this migration never changes).
    const withPolicies = await db.selectFrom('parameters').select(['name_key', 'policies']).where('policies', 'is not', null).execute();
    const now = Date.now();
    for (const row of withPolicies as { name_key: string; policies: string }[]) {
      for (const policy of JSON.parse(row.policies) as { type: string }[]) {
        await db
          .insertInto('durable_timers')
          .values({
            timer_key: `parameter-policy:${row.name_key}:${policy.type}`,
            kind: 'parameter.policy',
            due_at: 0,
            payload: JSON.stringify({ nameKey: row.name_key, policyType: policy.type }),
            attempts: 0,
            created_at: now,
            updated_at: now,
          })
          .execute();
      }
    }

    // Only settings someone changed (or reset) have a row; the others answer their default.
    await db.schema
      .createTable('service_settings')
      .addColumn('setting_id', 'text', (c) => bytewise(c).primaryKey())
      .addColumn('setting_value', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('last_modified_date', 'bigint', (c) => c.notNull())
      .addColumn('last_modified_user', 'text', (c) => c.notNull())
      .execute();
  },
};
