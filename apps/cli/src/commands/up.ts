import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import type { RootCredentials, RunningServer } from '@tend/server';
import { writeCredentialsFile } from '@tend/server/credentials-file';
import { readCredentialsFile } from '../config/client-config.js';
import { describeError } from '../errors.js';
import { addServerOptions, serverConfigFromOptions, shutdownOnSignals, type ServerCommandOptions } from './server.js';

/** Something `tend up` started and must stop on exit. */
interface Part {
  name: string;
  close(): Promise<void>;
}

/**
 * `tend up`: everything needed for a first look on one machine, in the
 * foreground, with copy-paste instructions for the AWS CLI and SDKs.
 */
export function registerUpCommand(program: Command): void {
  addServerOptions(
    program.command('up').description('start a local Tend (server, data in ./.tend) and print how to point the AWS CLI at it'),
  )
    .addHelpText('after', '\n`tend up` logs at warn level unless TEND_LOG_LEVEL is set, so its instructions stay readable.')
    .action(async (opts: ServerCommandOptions) => {
      const config = serverConfigFromOptions(opts);
      // Request logs are for `tend server` in production; here they would bury the instructions.
      if (!process.env.TEND_LOG_LEVEL) config.logLevel = 'warn';
      // Loaded on use: other verbs (and the agent) should not carry the server's modules.
      const { startServer } = await import('@tend/server');
      const server = await startServer({ config });
      const parts: Part[] = [{ name: 'server', close: server.close }];

      // The local agent (a later issue) starts here: registered against `server`
      // with an activation, pushed onto `parts` so it stops before the server,
      // and named in the banner.

      // Handlers first: whoever reads the banner may signal at once.
      shutdownOnSignals(() => closeInReverse(parts));
      process.stdout.write(banner(server));
    });
}

/** Stops parts newest first (an agent before the server it talks to), attempting every one even if one fails. */
async function closeInReverse(parts: Part[]): Promise<void> {
  const failures: string[] = [];
  for (const part of [...parts].reverse()) {
    await part.close().catch((err: unknown) => failures.push(`${part.name}: ${describeError(err)}`));
  }
  if (failures.length) throw new Error(failures.join('; '));
}

interface KnownCredentials {
  credentials?: RootCredentials;
  /** Where they came from, or why none are known. */
  note: string;
}

/**
 * The root credentials to show. Fixed TEND_ROOT_* credentials come before
 * the file because the server replaces any earlier root key with them, so a
 * file left from an earlier start would be stale.
 */
function rootCredentials(server: RunningServer): KnownCredentials {
  const file = path.join(server.config.dataDir, 'credentials');
  if (server.generatedRootCredentials) {
    return { credentials: server.generatedRootCredentials, note: `Root credentials were generated on this first start and saved to ${file} (mode 0600).` };
  }
  const { rootAccessKeyId, rootSecretAccessKey } = server.config;
  if (rootAccessKeyId && rootSecretAccessKey) {
    return { credentials: { accessKeyId: rootAccessKeyId, secretAccessKey: rootSecretAccessKey }, note: 'Root credentials from TEND_ROOT_ACCESS_KEY_ID/TEND_ROOT_SECRET_ACCESS_KEY.' };
  }
  let entries: Record<string, string> | undefined;
  try {
    entries = readCredentialsFile(file);
  } catch (err) {
    return { note: `The root credentials file could not be read (${describeError(err)}).` };
  }
  if (entries?.aws_access_key_id && entries.aws_secret_access_key) {
    const credentials = { accessKeyId: entries.aws_access_key_id, secretAccessKey: entries.aws_secret_access_key };
    // The tend CLI takes its endpoint from this file, so it follows a server restarted on another port or region.
    const url = clientUrl(server);
    if (entries.endpoint_url !== url || entries.region !== server.config.region) {
      writeCredentialsFile(server.config.dataDir, credentials, server.config.region, url);
      return { credentials, note: `Root credentials from ${file} (its endpoint is now ${url}).` };
    }
    return { credentials, note: `Root credentials from ${file}.` };
  }
  return { note: `The root credentials are not known here: ${file} is missing.` };
}

/** A URL clients can use: a wildcard listen address is reachable locally as the loopback. */
function clientUrl(server: RunningServer): string {
  const wildcard = server.config.host === '0.0.0.0' || server.config.host === '::';
  return wildcard ? `http://127.0.0.1:${server.port}` : server.url;
}

/** Single-quotes a value for a POSIX shell unless it is plainly safe. */
function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

function banner(server: RunningServer): string {
  const url = clientUrl(server);
  const region = server.config.region;
  const { credentials, note } = rootCredentials(server);
  const database = server.config.databaseUrl ? 'PostgreSQL' : 'SQLite';
  const lines = ['', `Tend is up at ${url}  (data: ${server.config.dataDir}, database: ${database})`, '', note, ''];
  if (credentials) {
    // AWS_REGION is what SDK v3 and CLI v2 read; AWS CLI v1 and boto3 read only AWS_DEFAULT_REGION.
    const exports = [
      `AWS_ACCESS_KEY_ID=${shellQuote(credentials.accessKeyId)}`,
      `AWS_SECRET_ACCESS_KEY=${shellQuote(credentials.secretAccessKey)}`,
      `AWS_REGION=${region}`,
      `AWS_DEFAULT_REGION=${region}`,
      `AWS_ENDPOINT_URL_SSM=${url}`,
    ];
    lines.push(
      'Point the AWS CLI and SDKs at it (paste into a shell):',
      '',
      `  export ${exports.join(' ')}`,
      '',
      'Then try:',
      '',
      `  aws ssm put-parameter --name /hello/greeting --value 'hello, world' --type String`,
      '',
      `The tend CLI finds these by itself: ${tendCliHint(server)}`,
    );
  } else {
    // A freshly made key pair, so the fix is one paste; the server adopts whatever root key it is given.
    const id = `AKIA${randomBytes(16).toString('hex').toUpperCase().slice(0, 16)}`;
    const secret = randomBytes(30).toString('base64url');
    lines.push(
      'To get working credentials, restart with a root key of your choice (it replaces the lost one), e.g.:',
      '',
      `  TEND_ROOT_ACCESS_KEY_ID=${id} TEND_ROOT_SECRET_ACCESS_KEY=${shellQuote(secret)} tend up`,
    );
  }
  lines.push('', 'Press Ctrl-C to stop.', '');
  return lines.join('\n');
}

/** `tend params ls` reads ./.tend/credentials, so it only needs TEND_DATA_DIR when the data dir is elsewhere. */
function tendCliHint(server: RunningServer): string {
  const usual = path.resolve('.tend') === server.config.dataDir;
  if (usual && !server.config.rootAccessKeyId) return 'tend params ls';
  if (server.config.rootAccessKeyId) return 'tend params ls  (with the exports above)';
  return `TEND_DATA_DIR=${shellQuote(server.config.dataDir)} tend params ls`;
}
