import type { Command } from 'commander';
import type { OutputOptions } from '../output/print.js';

/** Options every client verb accepts. */
export interface ClientCommandOptions extends OutputOptions {
  endpointUrl?: string;
}

const CLIENT_ENVIRONMENT = `
Configuration (first one set wins):
  endpoint     --endpoint-url, AWS_ENDPOINT_URL_SSM, AWS_ENDPOINT_URL, endpoint_url in the credentials file, http://127.0.0.1:8700
  credentials  AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY, else the credentials file
  region       AWS_REGION, AWS_DEFAULT_REGION, region in the credentials file, us-east-1
  credentials file: TEND_CREDENTIALS_FILE, else <TEND_DATA_DIR or ./.tend>/credentials (written by \`tend up\`)`;

/** Declares a client verb with the shared `--json` and `--endpoint-url` options and configuration help. */
export function clientCommand(parent: Command, name: string, description: string): Command {
  return parent
    .command(name)
    .description(description)
    .option('--json', 'print machine-readable JSON instead of a table')
    .option('--endpoint-url <url>', 'Tend server URL (overrides AWS_ENDPOINT_URL_SSM and the credentials file)')
    .addHelpText('after', CLIENT_ENVIRONMENT);
}
