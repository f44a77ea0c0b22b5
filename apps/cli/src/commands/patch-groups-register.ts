import type { Command } from 'commander';
import { RegisterPatchBaselineForPatchGroupCommand } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';

/** `tend patch groups register GROUP BASELINE`: RegisterPatchBaselineForPatchGroup (for the baseline's OS). */
export function registerPatchGroupsRegister(groups: Command): void {
  clientCommand(groups, 'register', "give a patch group a baseline for the baseline's operating system")
    .argument('<patch-group>', "the value of the nodes' `Patch Group` tag")
    .argument('<baseline-id>', 'pb-… id, or the ARN of a predefined baseline')
    .action(async (patchGroup: string, baselineId: string, opts: ClientCommandOptions) => {
      const { $metadata: _m, ...out } = await withSsm(opts, (ssm) => ssm.send(new RegisterPatchBaselineForPatchGroupCommand({ PatchGroup: patchGroup, BaselineId: baselineId })));
      printResult(opts, out, () => table([{ header: 'patch group' }, { header: 'baseline id' }], [[out.PatchGroup ?? patchGroup, out.BaselineId ?? baselineId]], ''));
    });
}
