import { Option, type Command } from 'commander';
import { OperatingSystem, paginateDescribePatchGroups, type PatchGroupPatchBaselineMapping, type PatchOrchestratorFilter } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';

interface LsOptions extends ClientCommandOptions {
  os?: string;
  name?: string;
}

/** `tend patch groups ls`: DescribePatchGroups, every page. */
export function registerPatchGroupsLs(groups: Command): void {
  clientCommand(groups, 'ls', 'list patch groups: group, operating system, baseline')
    .addOption(new Option('--os <os>', 'only registrations for this operating system').choices(Object.values(OperatingSystem)))
    .option('--name <prefix>', 'only patch groups whose name starts with this')
    .action(async (opts: LsOptions) => {
      const filters: PatchOrchestratorFilter[] = [];
      if (opts.os) filters.push({ Key: 'OPERATING_SYSTEM', Values: [opts.os] });
      if (opts.name) filters.push({ Key: 'NAME_PREFIX', Values: [opts.name] });
      const found = await withSsm(opts, async (ssm) => {
        const all: PatchGroupPatchBaselineMapping[] = [];
        for await (const page of paginateDescribePatchGroups({ client: ssm, pageSize: 100 }, { Filters: filters.length ? filters : undefined })) all.push(...(page.Mappings ?? []));
        return all;
      });
      printResult(opts, { Mappings: found }, () =>
        table(
          [{ header: 'patch group' }, { header: 'os' }, { header: 'baseline id' }, { header: 'baseline' }],
          found.map((m) => [m.PatchGroup ?? '', m.BaselineIdentity?.OperatingSystem ?? '', m.BaselineIdentity?.BaselineId ?? '', m.BaselineIdentity?.BaselineName ?? '']),
          filters.length ? 'No patch groups match.' : 'No patch groups.',
        ),
      );
    });
}
