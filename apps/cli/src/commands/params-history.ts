import type { Command } from 'commander';
import { paginateGetParameterHistory, type ParameterHistory } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { formatDate, printResult, table } from '../output/print.js';
import { shownValue, withShownValue } from '../output/parameters.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';

interface HistoryOptions extends ClientCommandOptions {
  decrypt?: boolean;
}

/** `tend params history NAME`: every version with its labels (GetParameterHistory, all pages). */
export function registerParamsHistory(params: Command): void {
  clientCommand(params, 'history', 'list every version of a parameter, oldest first')
    .argument('<name>', 'parameter name')
    .option('--decrypt', 'show SecureString values in clear')
    .action(async (name: string, opts: HistoryOptions) => {
      const decrypted = Boolean(opts.decrypt);
      const versions = await withSsm(opts, async (ssm) => {
        const all: ParameterHistory[] = [];
        for await (const page of paginateGetParameterHistory({ client: ssm }, { Name: name, WithDecryption: decrypted })) {
          all.push(...(page.Parameters ?? []));
        }
        return all;
      });
      printResult(opts, { Parameters: versions.map((v) => withShownValue(v, decrypted)) }, () =>
        table(
          [{ header: 'version', align: 'right' }, { header: 'type' }, { header: 'labels' }, { header: 'modified' }, { header: 'by' }, { header: 'value', maxWidth: 60 }],
          versions.map((v) => [
            String(v.Version ?? ''),
            v.Type ?? '',
            (v.Labels ?? []).join(','),
            formatDate(v.LastModifiedDate),
            v.LastModifiedUser ?? '',
            shownValue(v, decrypted),
          ]),
          `${name} has no versions.`,
        ),
      );
    });
}
