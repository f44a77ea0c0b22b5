import { SSMClient } from '@aws-sdk/client-ssm';
import { resolveClientConfig, type ClientConfig } from '../config/client-config.js';
import { CliError } from '../errors.js';

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
    return await fn(ssm, config);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    if (code && CONNECTION_CODES.has(code)) {
      throw new CliError(
        'EndpointConnectionError',
        `cannot reach the Tend server at ${config.endpoint} (${code}; endpoint from ${config.sources.endpoint}). ` +
          'Start one with `tend up`, or set --endpoint-url / AWS_ENDPOINT_URL_SSM',
      );
    }
    throw err;
  } finally {
    ssm.destroy();
  }
}
