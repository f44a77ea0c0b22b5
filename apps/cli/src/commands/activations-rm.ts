import type { Command } from 'commander';
import { DeleteActivationCommand } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';

/**
 * `tend activations rm ID…`: DeleteActivation, in order, stopping at the
 * first refusal (the error names the activation). Nodes that registered
 * with a deleted activation keep working.
 */
export function registerActivationsRm(activations: Command): void {
  clientCommand(activations, 'rm', 'delete activations: no further machine can register with them (registered nodes stay)')
    .argument('<ids...>', 'activation ids')
    .action(async (ids: string[], opts: ClientCommandOptions) => {
      const deleted: string[] = [];
      await withSsm(opts, async (ssm) => {
        try {
          for (const id of ids) {
            await ssm.send(new DeleteActivationCommand({ ActivationId: id }));
            deleted.push(id);
          }
        } finally {
          // What was deleted before a refusal is printed too, so a partial run is visible.
          if (deleted.length) printResult(opts, { DeletedActivations: deleted }, () => table([{ header: 'deleted' }], deleted.map((id) => [id]), ''));
        }
      });
    });
}
