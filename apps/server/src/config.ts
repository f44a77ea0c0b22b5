import { z } from 'zod';
import path from 'node:path';

/**
 * Every environment variable the server reads, with its one-line doc.
 * `tend server --help` prints this list, so it is the single place to add one.
 */
export const CONFIG_VARIABLES = {
  TEND_PORT: 'TCP port the API, agent gateway and console listen on (default 8700)',
  TEND_HOST: 'address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)',
  TEND_DATA_DIR: 'directory for the SQLite database, master key, blobs and generated credentials (default ./.tend)',
  TEND_DATABASE_URL: 'unset: SQLite in the data dir; postgres://user@host:5432/db: PostgreSQL shared by any number of replicas',
  TEND_MASTER_KEY: '32-byte key (64 hex digits or base64) encrypting secrets at rest; unset: generated once into <data dir>/master.key',
  TEND_ROOT_ACCESS_KEY_ID: 'fix the bootstrap root access key id (with TEND_ROOT_SECRET_ACCESS_KEY); unset: generated on first start',
  TEND_ROOT_SECRET_ACCESS_KEY: 'secret of the fixed root access key',
  TEND_REGION: 'region named in ARNs and answers (default us-east-1)',
  TEND_ACCOUNT_ID: '12-digit account id used in ARNs (default 000000000000)',
  TEND_LOG_LEVEL: 'pino log level: fatal, error, warn, info, debug, trace, silent (default info)',
  TEND_PING_TIMEOUT_SECONDS: 'seconds without a heartbeat before an Online node is marked ConnectionLost (default 300; agents heartbeat every fifth of it, 1-60 s)',
  TEND_SMTP_URL: 'SMTP server for email notifications: smtp://user:password@host:587 (STARTTLS when offered) or smtps://…:465; unset: email subscriptions cannot deliver',
  TEND_SMTP_FROM: 'From address of notification emails (default Tend <tend@localhost>)',
  TEND_COMMAND_HISTORY_DAYS: 'days a finished command, its invocations and output are kept (default 30, as Systems Manager keeps them)',
} as const;

const configSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(8700),
  host: z.string().min(1).default('127.0.0.1'),
  dataDir: z.string().min(1).default('./.tend'),
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'TEND_DATABASE_URL must be a postgres:// URL (leave it unset for SQLite)')
    .optional(),
  masterKey: z.string().optional(),
  rootAccessKeyId: z
    .string()
    .regex(/^[A-Z0-9]{16,128}$/, 'TEND_ROOT_ACCESS_KEY_ID must be 16-128 upper-case letters or digits')
    .optional(),
  rootSecretAccessKey: z.string().min(16, 'TEND_ROOT_SECRET_ACCESS_KEY must be at least 16 characters').optional(),
  region: z.string().regex(/^[a-z0-9-]+$/, 'TEND_REGION must look like us-east-1').default('us-east-1'),
  accountId: z.string().regex(/^\d{12}$/, 'TEND_ACCOUNT_ID must be 12 digits').default('000000000000'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  pingTimeoutSeconds: z.coerce.number().int().min(1).max(86_400).default(300),
  // The URL holds the SMTP password: messages never echo it.
  smtpUrl: z.string().regex(/^smtps?:\/\/[^/]/, 'TEND_SMTP_URL must be an smtp:// or smtps:// URL').optional(),
  smtpFrom: z.string().min(3).default('Tend <tend@localhost>'),
  commandHistoryDays: z.coerce.number().int().min(1).max(36_500).default(30),
});

export type ServerConfig = z.infer<typeof configSchema>;
export type ServerConfigInput = z.input<typeof configSchema>;

/** Builds the typed config: explicit overrides (CLI flags, tests) win over the environment, then defaults. */
export function loadConfig(overrides: Partial<ServerConfigInput> = {}, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const fromEnv: Partial<ServerConfigInput> = {
    port: env.TEND_PORT as unknown as number,
    host: env.TEND_HOST,
    dataDir: env.TEND_DATA_DIR,
    databaseUrl: env.TEND_DATABASE_URL || undefined,
    masterKey: env.TEND_MASTER_KEY || undefined,
    rootAccessKeyId: env.TEND_ROOT_ACCESS_KEY_ID || undefined,
    rootSecretAccessKey: env.TEND_ROOT_SECRET_ACCESS_KEY || undefined,
    region: env.TEND_REGION,
    accountId: env.TEND_ACCOUNT_ID,
    logLevel: env.TEND_LOG_LEVEL as ServerConfig['logLevel'] | undefined,
    pingTimeoutSeconds: env.TEND_PING_TIMEOUT_SECONDS as unknown as number,
    smtpUrl: env.TEND_SMTP_URL || undefined,
    smtpFrom: env.TEND_SMTP_FROM,
    commandHistoryDays: env.TEND_COMMAND_HISTORY_DAYS as unknown as number,
  };
  // Unset flags arrive as undefined and must not hide the environment's value.
  const merged: Record<string, unknown> = {};
  for (const source of [fromEnv, overrides] as Record<string, unknown>[]) {
    for (const [k, v] of Object.entries(source)) if (v !== undefined && v !== '') merged[k] = v;
  }
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  if (Boolean(parsed.data.rootAccessKeyId) !== Boolean(parsed.data.rootSecretAccessKey)) {
    throw new Error('invalid configuration: set both TEND_ROOT_ACCESS_KEY_ID and TEND_ROOT_SECRET_ACCESS_KEY, or neither');
  }
  return { ...parsed.data, dataDir: path.resolve(parsed.data.dataDir) };
}

/** How often agents are told to heartbeat: five beats per ping timeout, between 1 and 60 seconds. */
export function heartbeatSecondsFor(pingTimeoutSeconds: number): number {
  return Math.min(60, Math.max(1, Math.round(pingTimeoutSeconds / 5)));
}

/** How often the ping sweeper looks for silent nodes: a quarter of the timeout, at most 15 seconds. */
export function pingSweepSecondsFor(pingTimeoutSeconds: number): number {
  return Math.min(pingTimeoutSeconds / 4, 15);
}
