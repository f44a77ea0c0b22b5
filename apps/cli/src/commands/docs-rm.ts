import type { Command } from 'commander';
import { DeleteDocumentCommand } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';

/** `tend docs rm NAME`: DeleteDocument, every version of it. */
export function registerDocsRm(docs: Command): void {
  clientCommand(docs, 'rm', 'delete a document (every version)')
    .argument('<name>', 'document name')
    .action(async (name: string, opts: ClientCommandOptions) => {
      await withSsm(opts, (ssm) => ssm.send(new DeleteDocumentCommand({ Name: name })));
      printResult(opts, { DeletedDocument: name }, () => table([{ header: 'deleted' }], [[name]], ''));
    });
}
