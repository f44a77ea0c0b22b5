import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { Dialect } from './database.js';
import { migration0001Initial } from './migrations/0001-initial.js';
import { migration0002ManagedNodes } from './migrations/0002-managed-nodes.js';
import { migration0004Documents } from './migrations/0004-documents.js';
import { migration0005Notifications } from './migrations/0005-notifications.js';
import { migration0006Commands } from './migrations/0006-commands.js';
import { migration0007PatchBaselines } from './migrations/0007-patch-baselines.js';
import { migration0008PatchCompliance } from './migrations/0008-patch-compliance.js';
import { migration0009DurableTimersAndServiceSettings } from './migrations/0009-durable-timers-and-service-settings.js';
import { migration0010CommandOutputCopies } from './migrations/0010-command-output-copies.js';
import { migration0011MaintenanceWindows } from './migrations/0011-maintenance-windows.js';
import { migration0012OpsItems } from './migrations/0012-ops-items.js';

export interface Migration {
  id: string;
  up(db: Kysely<any>, dialect: Dialect): Promise<void>;
}

/** The one ordered list of migrations; append only. */
export const MIGRATIONS: Migration[] = [migration0001Initial, migration0002ManagedNodes, migration0004Documents, migration0005Notifications, migration0006Commands, migration0007PatchBaselines, migration0008PatchCompliance, migration0009DurableTimersAndServiceSettings, migration0010CommandOutputCopies, migration0011MaintenanceWindows, migration0012OpsItems];

/**
 * Applies pending migrations, each in its own transaction. On PostgreSQL an
 * advisory lock serializes replicas that start at the same moment.
 */
export async function migrate(db: Kysely<Database>, dialect: Dialect, now: () => number = Date.now): Promise<string[]> {
  const applied: string[] = [];
  await db.connection().execute(async (conn) => {
    if (dialect === 'postgres') await sql`select pg_advisory_lock(746564)`.execute(conn);
    try {
      await conn.schema
        .createTable('tend_migrations')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('applied_at', 'bigint', (c) => c.notNull())
        .execute();
      const done = new Set((await conn.selectFrom('tend_migrations').select('id').execute()).map((r) => r.id));
      for (const m of MIGRATIONS) {
        if (done.has(m.id)) continue;
        await conn.transaction().execute(async (trx) => {
          await m.up(trx, dialect);
          await trx.insertInto('tend_migrations').values({ id: m.id, applied_at: now() }).execute();
        });
        applied.push(m.id);
      }
    } finally {
      if (dialect === 'postgres') await sql`select pg_advisory_unlock(746564)`.execute(conn);
    }
  });
  return applied;
}
