import type { Command } from 'commander';
import { GetPatchBaselineCommand } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { fieldTable, formatDate, printResult } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';
import { ownerOfBaselineId } from './patch-baselines.js';

/**
 * `tend patch baselines show ID`: GetPatchBaseline. The summary, then the
 * rules as JSON in CreatePatchBaseline's shape, so they can be saved, edited
 * and given back to `tend patch baselines create --file`.
 */
export function registerPatchBaselinesShow(baselines: Command): void {
  clientCommand(baselines, 'show', 'show a patch baseline: summary, then its rules as JSON')
    .argument('<baseline-id>', 'pb-… id, or the ARN of a predefined baseline')
    .action(async (id: string, opts: ClientCommandOptions) => {
      const { $metadata: _m, ...b } = await withSsm(opts, (ssm) => ssm.send(new GetPatchBaselineCommand({ BaselineId: id })));
      printResult(opts, b, () => {
        const meta = fieldTable([
          ['Id', b.BaselineId],
          ['Name', b.Name],
          ['OS', b.OperatingSystem],
          ['Owner', ownerOfBaselineId(b.BaselineId)],
          ['PatchGroups', b.PatchGroups?.join(', ')],
          ['Created', formatDate(b.CreatedDate)],
          ['Modified', formatDate(b.ModifiedDate)],
          ['Description', b.Description],
        ]);
        const rules = {
          OperatingSystem: b.OperatingSystem,
          GlobalFilters: b.GlobalFilters,
          ApprovalRules: b.ApprovalRules,
          ApprovedPatches: b.ApprovedPatches,
          ApprovedPatchesComplianceLevel: b.ApprovedPatchesComplianceLevel,
          ApprovedPatchesEnableNonSecurity: b.ApprovedPatchesEnableNonSecurity,
          RejectedPatches: b.RejectedPatches,
          RejectedPatchesAction: b.RejectedPatchesAction,
          Sources: b.Sources,
        };
        return `${meta}\n${JSON.stringify(rules, null, 2)}\n`;
      });
    });
}
