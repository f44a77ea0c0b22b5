import type { Command } from 'commander';
import { DeleteMaintenanceWindowCommand } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';

/** `tend windows rm ID`: DeleteMaintenanceWindow, with its targets and tasks. */
export function registerWindowsRm(windows: Command): void {
  clientCommand(windows, 'rm', 'delete a maintenance window, its targets and its tasks')
    .argument('<window-id>', 'mw-… id')
    .action(async (id: string, opts: ClientCommandOptions) => {
      const { WindowId } = await withSsm(opts, (ssm) => ssm.send(new DeleteMaintenanceWindowCommand({ WindowId: id })));
      printResult(opts, { WindowId }, () => table([{ header: 'deleted' }], [[WindowId ?? id]], ''));
    });
}
