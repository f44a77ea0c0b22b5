import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GetParameterCommand, GetParameterHistoryCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { sql } from 'kysely';
import { describeEachDatabase, startTestServer, type TestServer } from '../testing/test-server.js';

/**
 * The promise of DESIGN.md: a SecureString's plaintext is never written to
 * the database, the logs or the audit log, whatever happens to the request.
 */
describeEachDatabase('secrets at rest', (dialect) => {
  const secret = 'hunter2-' + 'S3cr3t-Value-That-Must-Not-Leak';
  const logLines: string[] = [];
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer(dialect, { logStream: { write: (line: string) => void logLines.push(line) } });
    await t.ssm.send(new PutParameterCommand({ Name: '/prod/db/password', Type: 'SecureString', Value: secret }));
    await t.ssm.send(new PutParameterCommand({ Name: '/prod/db/password', Type: 'SecureString', Value: secret + '-v2', Overwrite: true }));
    // Failing writes must not leak the value either (pattern mismatch, value too large, missing overwrite).
    await t.ssm
      .send(new PutParameterCommand({ Name: '/prod/db/other', Type: 'SecureString', Value: secret, AllowedPattern: '^[0-9]+$' }))
      .catch(() => {});
    await t.ssm.send(new PutParameterCommand({ Name: '/prod/db/password', Type: 'SecureString', Value: secret })).catch(() => {});
    await t.ssm
      .send(new PutParameterCommand({ Name: '/prod/db/big', Type: 'SecureString', Value: secret + 'x'.repeat(5000) }))
      .catch(() => {});
  });
  afterAll(async () => t?.close());

  it('returns the plaintext only with decryption', async () => {
    const plain = await t.ssm.send(new GetParameterCommand({ Name: '/prod/db/password', WithDecryption: true }));
    expect(plain.Parameter?.Value).toBe(secret + '-v2');
    const sealed = await t.ssm.send(new GetParameterCommand({ Name: '/prod/db/password' }));
    expect(sealed.Parameter?.Value).not.toContain(secret);
    const history = await t.ssm.send(new GetParameterHistoryCommand({ Name: '/prod/db/password' }));
    for (const v of history.Parameters ?? []) expect(v.Value ?? '').not.toContain(secret);
  });

  it('never stores the plaintext in the database', async () => {
    if (dialect === 'sqlite') {
      // Every byte of the database, its WAL and its shared memory file.
      for (const file of fs.readdirSync(t.dataDir).filter((f) => f.startsWith('tend.db'))) {
        expect(fs.readFileSync(path.join(t.dataDir, file)).includes(Buffer.from('S3cr3t-Value'))).toBe(false);
      }
    }
    // Every text column of every table, through SQL.
    for (const table of ['parameters', 'parameter_versions', 'audit_events', 'outbox_events', 'resource_tags'] as const) {
      const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(t.server.services.db);
      expect(JSON.stringify(rows.rows)).not.toContain('S3cr3t-Value');
    }
  });

  it('never logs the plaintext', () => {
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain('S3cr3t-Value');
  });
});
