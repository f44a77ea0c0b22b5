import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import { PutParameterCommand, type PutParameterCommandInput, type SSMClient } from '@aws-sdk/client-ssm';
import { startTestServer, type TestDialect, type TestServer } from '../../../testing/test-server.js';

/** One real server per suite, on the suite's database; the getter reads it once `beforeAll` ran. */
export function useTestServer(dialect: TestDialect): () => TestServer {
  let t: TestServer | undefined;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => {
    if (t) await closeTestServer(t);
  });
  return () => {
    if (!t) throw new Error('test server not started');
    return t;
  };
}

/** Stops a test server (kept as a seam for suites that start their own). */
export async function closeTestServer(t: TestServer): Promise<void> {
  await t.close();
}

/** PutParameter; a create defaults to String, an overwrite to the parameter's current type. */
export function put(ssm: SSMClient, name: string, value: string, extra: Partial<PutParameterCommandInput> = {}) {
  return ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: extra.Overwrite ? undefined : 'String', ...extra }));
}

/**
 * Everything the database holds, as text: every row of every table. On
 * SQLite the raw database and WAL files are added too, so a value that
 * only ever touched the file (a freed page, a journal) is caught as well.
 */
export async function everythingStored(t: TestServer): Promise<string> {
  const db = t.server.services.db;
  const tables =
    t.dialect === 'sqlite'
      ? (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db)).rows.map((r) => r.name)
      : (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = 'public'`.execute(db)).rows.map(
          (r) => r.name,
        );
  const parts: string[] = [];
  for (const table of tables) {
    const rows = await sql`select * from ${sql.table(table)}`.execute(db);
    parts.push(JSON.stringify(rows.rows));
  }
  if (t.dialect === 'sqlite') {
    for (const file of ['tend.db', 'tend.db-wal']) {
      const full = path.join(t.dataDir, file);
      if (fs.existsSync(full)) parts.push(fs.readFileSync(full).toString('latin1'));
    }
  }
  return parts.join('\n');
}

/** The parameter.change events written so far, oldest first. */
export async function parameterEvents(t: TestServer): Promise<{ name: string; version: number; type: string; operation: string; labels?: string[] }[]> {
  const rows = await t.server.services.db
    .selectFrom('outbox_events')
    .select('payload')
    .where('event_type', '=', 'parameter.change')
    .orderBy('id')
    .execute();
  return rows.map((r) => JSON.parse(r.payload));
}

/** An IAM user with one inline policy, and SDK clients signed with its key. */
export async function userWithPolicy(t: TestServer, userName: string, statements: object[]) {
  const iam = t.server.services.iam;
  await iam.createUser(userName, '/');
  const key = await iam.createAccessKey(userName);
  await iam.putUserPolicy(userName, 'inline', JSON.stringify({ Version: '2012-10-17', Statement: statements }));
  return t.clientsFor({ accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey });
}
