import type { Command } from 'commander';
import { DeregisterPatchBaselineForPatchGroupCommand } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';

/** `tend patch groups deregister GROUP BASELINE`: DeregisterPatchBaselineForPatchGroup; the group's nodes fall back to their OS default. */
export function registerPatchGroupsDeregister(groups: Command): void {
  clientCommand(groups, 'deregister', 'remove a baseline from a patch group')
    .argument('<patch-group>', 'patch group name')
    .argument('<baseline-id>', 'the baseline registered for it')
    .action(async (patchGroup: string, baselineId: string, opts: ClientCommandOptions) => {
      const { $metadata: _m, ...out } = await withSsm(opts, (ssm) => ssm.send(new DeregisterPatchBaselineForPatchGroupCommand({ PatchGroup: patchGroup, BaselineId: baselineId })));
      printResult(opts, out, () => table([{ header: 'deregistered' }, { header: 'baseline id' }], [[out.PatchGroup ?? patchGroup, out.BaselineId ?? baselineId]], ''));
    });
}
