import type { Command } from 'commander';
import { GetOpsItemCommand } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { fieldTable, formatDate, printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';

/** `tend ops show ID`: GetOpsItem, with its operational data. */
export function registerOpsShow(ops: Command): void {
  clientCommand(ops, 'show', 'show an OpsItem with its operational data')
    .argument('<ops-item-id>', 'oi-… id')
    .action(async (id: string, opts: ClientCommandOptions) => {
      const { OpsItem: item = {} } = await withSsm(opts, (ssm) => ssm.send(new GetOpsItemCommand({ OpsItemId: id })));
      printResult(opts, { OpsItem: item }, () => {
        const summary = fieldTable([
          ['Id', item.OpsItemId],
          ['Title', item.Title],
          ['Status', item.Status],
          ['Priority', item.Priority === undefined ? undefined : String(item.Priority)],
          ['Severity', item.Severity],
          ['Category', item.Category],
          ['Source', item.Source],
          ['Type', item.OpsItemType],
          ['Created', `${formatDate(item.CreatedTime)} by ${item.CreatedBy ?? ''}`],
          ['Modified', `${formatDate(item.LastModifiedTime)} by ${item.LastModifiedBy ?? ''} (version ${item.Version ?? ''})`],
          ['Notify', (item.Notifications ?? []).map((n) => n.Arn).join(', ')],
          ['Related', (item.RelatedOpsItems ?? []).map((r) => r.OpsItemId).join(', ')],
        ]);
        const data = table(
          [{ header: 'key' }, { header: 'type' }, { header: 'value' }],
          Object.entries(item.OperationalData ?? {}).map(([key, v]) => [key, v.Type ?? '', v.Value ?? '']),
          'No operational data.',
        );
        // The description is Markdown of several lines: printed as it is, below the fields.
        return `${summary}\n${item.Description ?? ''}\n\nOperational data\n${data}`;
      });
    });
}
