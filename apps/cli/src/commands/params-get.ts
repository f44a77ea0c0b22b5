import type { Command } from 'commander';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { fieldTable, formatDate, printResult } from '../output/print.js';
import { shownValue, withShownValue } from '../output/parameters.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';

interface GetOptions extends ClientCommandOptions {
  decrypt?: boolean;
}

/** `tend params get NAME[:version|:label]`: GetParameter. */
export function registerParamsGet(params: Command): void {
  clientCommand(params, 'get', 'show one parameter')
    .argument('<name>', 'parameter name; NAME:VERSION or NAME:LABEL selects an older version')
    .option('--decrypt', 'show SecureString values in clear')
    .action(async (name: string, opts: GetOptions) => {
      const decrypted = Boolean(opts.decrypt);
      const { Parameter: p } = await withSsm(opts, (ssm) => ssm.send(new GetParameterCommand({ Name: name, WithDecryption: decrypted })));
      if (!p) return;
      printResult(opts, { Parameter: withShownValue(p, decrypted) }, () =>
        fieldTable([
          ['Name', p.Name],
          ['Type', p.Type],
          ['Version', p.Version?.toString()],
          ['Selector', p.Selector],
          ['Modified', formatDate(p.LastModifiedDate)],
          ['DataType', p.DataType],
          ['ARN', p.ARN],
          ['Value', shownValue(p, decrypted)],
        ]),
      );
    });
}
