import { SSMClient } from '@aws-sdk/client-ssm';
import { resolveClientConfig, type ClientConfig } from '../config/client-config.js';
import { CliError } from '../errors.js';
import { TendClient } from './tend-client.js';

// The SDK warns on Node 20 about its own future releases; that is noise for
// someone running `tend params get`, and the CLI pins the SDK anyway.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Socket-level failures: the server is not there, rather than an API error. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Runs `fn` with the AWS SDK's SSMClient pointed at the resolved Tend
 * endpoint and credentials (the one place client verbs get their client),
 * turning "nothing listens there" into an error that says what to do.
 */
export async function withSsm<T>(options: { endpointUrl?: string }, fn: (ssm: SSMClient, config: ClientConfig) => Promise<T>): Promise<T> {
  const config = resolveClientConfig({ endpointUrl: options.endpointUrl });
  // One retry covers a dropped keep-alive socket; more would only delay the
  // message when the server is down.
  const ssm = new SSMClient({ endpoint: config.endpoint, region: config.region, credentials: config.credentials, maxAttempts: 2 });
  try {
    return await explainUnreachable(config, () => fn(ssm, config));
  } finally {
    ssm.destroy();
  }
}

/**
 * Runs `fn` with a TendClient (for `Tend.*` operations) built from the same
 * resolved endpoint and credentials as withSsm, with the same message when
 * nothing listens there.
 */
export async function withTend<T>(options: { endpointUrl?: string }, fn: (api: TendClient, config: ClientConfig) => Promise<T>): Promise<T> {
  const config = resolveClientConfig({ endpointUrl: options.endpointUrl });
  const api = new TendClient({ endpoint: config.endpoint, region: config.region, credentials: config.credentials });
  return explainUnreachable(config, () => fn(api, config));
}

/** Turns a socket-level failure (the SDK's own, or fetch's `cause`) into an error that says what to do. */
async function explainUnreachable<T>(config: ClientConfig, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException | undefined)?.code ?? ((err as { cause?: NodeJS.ErrnoException } | undefined)?.cause?.code);
    if (code && CONNECTION_CODES.has(code)) {
      throw new CliError(
        'EndpointConnectionError',
        `cannot reach the Tend server at ${config.endpoint} (${code}; endpoint from ${config.sources.endpoint}). ` +
          'Start one with `tend up`, or set --endpoint-url / AWS_ENDPOINT_URL_SSM',
      );
    }
    throw err;
  }
}
