import type { Command } from 'commander';
import { CancelCommandCommand } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';
import { repeatable } from './option-parsers.js';

interface CancelOptions extends ClientCommandOptions {
  instance: string[];
}

/**
 * `tend commands cancel ID`: CancelCommand, on every node or only some. The
 * API only records the request: nodes that have not started end Cancelled
 * at once, running ones once their agent has stopped the script, which
 * `tend commands show ID` shows.
 */
export function registerCommandsCancel(commands: Command): void {
  clientCommand(commands, 'cancel', 'cancel a command, on every node or only some')
    .argument('<command-id>', 'the command id')
    .option('--instance <id>', 'cancel only on this node, mi-… (repeatable)', repeatable, [])
    .action(async (commandId: string, opts: CancelOptions) => {
      const instanceIds = opts.instance.length ? opts.instance : undefined;
      await withSsm(opts, (ssm) => ssm.send(new CancelCommandCommand({ CommandId: commandId, InstanceIds: instanceIds })));
      printResult(opts, { CancelRequested: { CommandId: commandId, InstanceIds: instanceIds } }, () =>
        table([{ header: 'cancel requested' }, { header: 'nodes' }], [[commandId, instanceIds?.join(',') ?? 'all']], ''),
      );
    });
}
