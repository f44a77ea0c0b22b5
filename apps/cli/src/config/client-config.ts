import fs from 'node:fs';
import path from 'node:path';
import { CliError } from '../errors.js';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:8700';
export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_DATA_DIR = './.tend';

/** Where the client verbs send their requests, and as whom. */
export interface ClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Human-readable origin of each value, for messages (never the values themselves). */
  sources: { endpoint: string; region: string; credentials: string };
}

export interface ResolveClientConfigOptions {
  /** `--endpoint-url`, which beats every other source. */
  endpointUrl?: string;
  env?: NodeJS.ProcessEnv;
  /** Base for the relative default data dir. */
  cwd?: string;
}

/** The `[default]` section of an AWS shared-credentials/config style file, keys lower-cased. */
export type CredentialsFileEntries = Record<string, string>;

/**
 * The credentials file the CLI reads when the environment has no keys:
 * TEND_CREDENTIALS_FILE, else `<TEND_DATA_DIR or ./.tend>/credentials`, the
 * file `tend server`/`tend up` write on first start.
 */
export function credentialsFilePath(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  if (env.TEND_CREDENTIALS_FILE) return path.resolve(cwd, env.TEND_CREDENTIALS_FILE);
  return path.resolve(cwd, env.TEND_DATA_DIR || DEFAULT_DATA_DIR, 'credentials');
}

/**
 * Reads the `[default]` (or `[profile default]`) section of an INI file in
 * the AWS shared-credentials format. Undefined when the file does not exist;
 * any other read failure is reported, since silently ignoring an unreadable
 * credentials file would end in a confusing "no credentials" error.
 */
export function readCredentialsFile(file: string): CredentialsFileEntries | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError('CredentialsFileError', `cannot read ${file}: ${(err as Error).message}`);
  }
  const entries: CredentialsFileEntries = {};
  let inDefault = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[\s*(.+?)\s*\]$/.exec(line);
    if (section) {
      inDefault = section[1] === 'default' || section[1] === 'profile default';
      continue;
    }
    const eq = line.indexOf('=');
    if (inDefault && eq > 0) entries[line.slice(0, eq).trim().toLowerCase()] = line.slice(eq + 1).trim();
  }
  return entries;
}

/**
 * Resolves endpoint, region and credentials for the client verbs, each from
 * its first source that is set (see the README's CLI section for the order).
 * Throws a CliError naming what was tried when no credentials are found.
 */
export function resolveClientConfig(options: ResolveClientConfigOptions = {}): ClientConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = credentialsFilePath(env, cwd);
  const fromFile = readCredentialsFile(file);
  if (!fromFile && env.TEND_CREDENTIALS_FILE) {
    throw new CliError('CredentialsFileError', `TEND_CREDENTIALS_FILE names ${file}, which does not exist`);
  }

  const endpoint = firstSet([
    [options.endpointUrl, '--endpoint-url'],
    [env.AWS_ENDPOINT_URL_SSM, 'AWS_ENDPOINT_URL_SSM'],
    [env.AWS_ENDPOINT_URL, 'AWS_ENDPOINT_URL'],
    [fromFile?.endpoint_url, `endpoint_url in ${file}`],
    [DEFAULT_ENDPOINT, 'default'],
  ]);
  checkEndpoint(endpoint.value, endpoint.source);

  const region = firstSet([
    [env.AWS_REGION, 'AWS_REGION'],
    [env.AWS_DEFAULT_REGION, 'AWS_DEFAULT_REGION'],
    [fromFile?.region, `region in ${file}`],
    [DEFAULT_REGION, 'default'],
  ]);

  return {
    endpoint: endpoint.value.replace(/\/+$/, ''),
    region: region.value,
    credentials: resolveCredentials(env, file, fromFile),
    sources: { endpoint: endpoint.source, region: region.source, credentials: credentialsSource(env, file) },
  };
}

function resolveCredentials(env: NodeJS.ProcessEnv, file: string, fromFile: CredentialsFileEntries | undefined): ClientConfig['credentials'] {
  const envId = env.AWS_ACCESS_KEY_ID;
  const envSecret = env.AWS_SECRET_ACCESS_KEY;
  if (envId && envSecret) return { accessKeyId: envId, secretAccessKey: envSecret };
  // Half a key pair in the environment is a mistake worth naming rather than quietly using another key.
  if (envId || envSecret) {
    const missing = envId ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID';
    throw new CliError('IncompleteCredentials', `${envId ? 'AWS_ACCESS_KEY_ID' : 'AWS_SECRET_ACCESS_KEY'} is set but ${missing} is not`);
  }
  const fileId = fromFile?.aws_access_key_id;
  const fileSecret = fromFile?.aws_secret_access_key;
  if (fileId && fileSecret) return { accessKeyId: fileId, secretAccessKey: fileSecret };
  const where = fromFile ? `${file} has no aws_access_key_id/aws_secret_access_key in its [default] section` : `${file} does not exist`;
  throw new CliError(
    'NoCredentials',
    `no credentials found (${where}). Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, ` +
      'or run from the directory where `tend up` runs (it writes .tend/credentials), ' +
      'or point TEND_CREDENTIALS_FILE (or TEND_DATA_DIR) at the server\'s credentials file',
  );
}

function credentialsSource(env: NodeJS.ProcessEnv, file: string): string {
  return env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY ? 'AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY' : file;
}

function firstSet(candidates: Array<[string | undefined, string]>): { value: string; source: string } {
  for (const [value, source] of candidates) if (value) return { value, source };
  // The last candidate is always a default, so this is unreachable with the lists above.
  throw new Error('no candidate value');
}

function checkEndpoint(value: string, source: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new CliError('InvalidEndpoint', `the endpoint from ${source} is not an http(s) URL: ${value}`);
  }
}
