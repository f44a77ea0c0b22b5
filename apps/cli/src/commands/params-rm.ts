import type { Command } from 'commander';
import { DeleteParametersCommand } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { CliError } from '../errors.js';
import { printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';

/** DeleteParameters takes at most this many names per call. */
const BATCH = 10;

/**
 * `tend params rm NAME…`: DeleteParameters in batches. Names that did not
 * exist are reported after the deletions and make the command fail, so a
 * typo is never silent.
 */
export function registerParamsRm(params: Command): void {
  clientCommand(params, 'rm', 'delete parameters (every version)')
    .argument('<names...>', 'parameter names')
    .action(async (names: string[], opts: ClientCommandOptions) => {
      const deleted: string[] = [];
      const invalid: string[] = [];
      await withSsm(opts, async (ssm) => {
        for (let i = 0; i < names.length; i += BATCH) {
          const out = await ssm.send(new DeleteParametersCommand({ Names: names.slice(i, i + BATCH) }));
          deleted.push(...(out.DeletedParameters ?? []));
          invalid.push(...(out.InvalidParameters ?? []));
        }
      });
      printResult(opts, { DeletedParameters: deleted, InvalidParameters: invalid }, () =>
        table([{ header: 'deleted' }], deleted.map((n) => [n]), 'Nothing deleted.'),
      );
      if (invalid.length) throw new CliError('ParameterNotFound', `not found: ${invalid.join(', ')}`);
    });
}
