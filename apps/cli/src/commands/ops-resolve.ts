import type { Command } from 'commander';
import { UpdateOpsItemCommand } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';

/** `tend ops resolve ID`: UpdateOpsItem with Status Resolved (its topics hear of it). */
export function registerOpsResolve(ops: Command): void {
  clientCommand(ops, 'resolve', 'mark an OpsItem Resolved')
    .argument('<ops-item-id>', 'oi-… id')
    .action(async (id: string, opts: ClientCommandOptions) => {
      await withSsm(opts, (ssm) => ssm.send(new UpdateOpsItemCommand({ OpsItemId: id, Status: 'Resolved' })));
      printResult(opts, { OpsItemId: id, Status: 'Resolved' }, () => table([{ header: 'resolved' }], [[id]], ''));
    });
}
