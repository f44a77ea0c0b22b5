import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { describe } from 'vitest';
import { SSMClient } from '@aws-sdk/client-ssm';
import { TendClient } from '@tend/cli';
import { startServer, type RunningServer } from '../main.js';
import type { ServerConfigInput } from '../config.js';

export type TestDialect = 'sqlite' | 'postgres';

/** Admin connection used to create one throw-away database per test server. */
export const POSTGRES_ADMIN_URL = process.env.TEND_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export const TEST_REGION = 'us-east-1';
export const TEST_ACCOUNT = '123456789012';

let postgresProbe: Promise<string | undefined> | undefined;

/** Undefined when PostgreSQL answers; otherwise why its tests are skipped. */
export function postgresUnavailableReason(): Promise<string | undefined> {
  postgresProbe ??= (async () => {
    const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
      return undefined;
    } catch (err) {
      return `PostgreSQL is not reachable at ${POSTGRES_ADMIN_URL} (${(err as Error).message})`;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return postgresProbe;
}

const skipPostgres = await postgresUnavailableReason();
if (skipPostgres) console.warn(`[tend tests] skipping PostgreSQL runs: ${skipPostgres}`);

/**
 * Declares the same suite once per database: every API test runs on SQLite
 * and PostgreSQL. PostgreSQL runs are skipped, with the reason printed, only
 * when no server answers.
 */
export function describeEachDatabase(name: string, suite: (dialect: TestDialect) => void): void {
  describe(`${name} [sqlite]`, () => suite('sqlite'));
  describe.skipIf(Boolean(skipPostgres))(`${name} [postgres]`, () => suite('postgres'));
}

export interface TestServer {
  url: string;
  dialect: TestDialect;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The real AWS SDK client pointed at this server with root credentials. */
  ssm: SSMClient;
  /** Signed client for Tend.* operations with root credentials. */
  api: TendClient;
  server: RunningServer;
  dataDir: string;
  databaseUrl?: string;
  /** An SDK client and a Tend client for other credentials (an IAM user's). */
  clientsFor(credentials: { accessKeyId: string; secretAccessKey: string }): { ssm: SSMClient; api: TendClient };
  close(): Promise<void>;
}

export interface TestServerOptions {
  config?: Partial<ServerConfigInput>;
  clock?: () => Date;
  /** Reuse an existing data dir / database (restart tests). */
  dataDir?: string;
  databaseUrl?: string;
  /** Receives the server's log lines at debug level (to check what is and is not logged). */
  logStream?: { write(line: string): void };
}

/** Starts a real server on 127.0.0.1 with a fresh data dir and, for PostgreSQL, a fresh database. */
export async function startTestServer(dialect: TestDialect, options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tend-test-'));
  let databaseUrl = options.databaseUrl;
  let dropDatabase: (() => Promise<void>) | undefined;
  if (dialect === 'postgres' && !databaseUrl) {
    const name = `tend_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dropDatabase = async () => {
      const c = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await c.connect();
      try {
        // The pool's end() resolves before its backends have gone; dropping
        // WITH (FORCE) at that moment kills them and their clients report an
        // unhandled error. Wait for them to leave first.
        for (let attempt = 0; attempt < 100; attempt++) {
          const { rows } = await c.query('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
          if (rows[0].n === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    };
  }
  const credentials = { accessKeyId: 'AKIATESTROOT00000001', secretAccessKey: 'test-root-secret-' + randomBytes(8).toString('hex') };
  const server = await startServer({
    config: {
      port: 0,
      host: '127.0.0.1',
      dataDir,
      databaseUrl,
      region: TEST_REGION,
      accountId: TEST_ACCOUNT,
      rootAccessKeyId: credentials.accessKeyId,
      rootSecretAccessKey: credentials.secretAccessKey,
      masterKey: '11'.repeat(32),
      ...options.config,
    },
    env: {},
    logger: options.logStream
      ? pino({ level: 'debug' }, options.logStream)
      : pino({ level: process.env.TEND_TEST_LOG_LEVEL ?? 'silent' }),
    clock: options.clock,
  });
  const clientsFor = (creds: { accessKeyId: string; secretAccessKey: string }) => ({
    ssm: new SSMClient({ endpoint: server.url, region: TEST_REGION, credentials: creds, maxAttempts: 1 }),
    api: new TendClient({ endpoint: server.url, region: TEST_REGION, credentials: creds }),
  });
  const root = clientsFor(credentials);
  return {
    url: server.url,
    dialect,
    credentials,
    ssm: root.ssm,
    api: root.api,
    server,
    dataDir,
    databaseUrl,
    clientsFor,
    async close() {
      root.ssm.destroy();
      await server.close();
      if (dropDatabase) await dropDatabase();
      if (!options.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
