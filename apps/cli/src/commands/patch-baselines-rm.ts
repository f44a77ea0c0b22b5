import type { Command } from 'commander';
import { DeletePatchBaselineCommand } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';

/** `tend patch baselines rm ID`: DeletePatchBaseline (refused while it is a default or has patch groups). */
export function registerPatchBaselinesRm(baselines: Command): void {
  clientCommand(baselines, 'rm', 'delete a patch baseline (not while it is a default or registered for a patch group)')
    .argument('<baseline-id>', 'pb-… id')
    .action(async (id: string, opts: ClientCommandOptions) => {
      const { BaselineId } = await withSsm(opts, (ssm) => ssm.send(new DeletePatchBaselineCommand({ BaselineId: id })));
      printResult(opts, { BaselineId }, () => table([{ header: 'deleted' }], [[BaselineId ?? id]], ''));
    });
}
