import { Option, type Command } from 'commander';
import { OperatingSystem, paginateDescribePatchBaselines, type PatchBaselineIdentity, type PatchOrchestratorFilter } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';
import { ownerOfBaselineId } from './patch-baselines.js';

interface LsOptions extends ClientCommandOptions {
  owner?: string;
  os?: string;
  name?: string;
}

/** `tend patch baselines ls`: DescribePatchBaselines, every page. */
export function registerPatchBaselinesLs(baselines: Command): void {
  clientCommand(baselines, 'ls', 'list patch baselines: id, name, operating system, owner, whether it is the default')
    .addOption(new Option('--owner <owner>', "Self: the account's own; AWS: the predefined ones; All (default)").choices(['Self', 'AWS', 'All']))
    .addOption(new Option('--os <os>', 'only baselines for this operating system').choices(Object.values(OperatingSystem)))
    .option('--name <prefix>', 'only baselines whose name starts with this')
    .action(async (opts: LsOptions) => {
      const filters: PatchOrchestratorFilter[] = [];
      if (opts.owner) filters.push({ Key: 'OWNER', Values: [opts.owner] });
      if (opts.os) filters.push({ Key: 'OPERATING_SYSTEM', Values: [opts.os] });
      if (opts.name) filters.push({ Key: 'NAME_PREFIX', Values: [opts.name] });
      const found = await withSsm(opts, async (ssm) => {
        const all: PatchBaselineIdentity[] = [];
        for await (const page of paginateDescribePatchBaselines({ client: ssm, pageSize: 100 }, { Filters: filters.length ? filters : undefined })) {
          all.push(...(page.BaselineIdentities ?? []));
        }
        return all;
      });
      printResult(opts, { BaselineIdentities: found }, () =>
        table(
          [{ header: 'id' }, { header: 'name' }, { header: 'os' }, { header: 'owner' }, { header: 'default' }],
          found.map((b) => [b.BaselineId ?? '', b.BaselineName ?? '', b.OperatingSystem ?? '', ownerOfBaselineId(b.BaselineId), b.DefaultBaseline ? 'yes' : '']),
          filters.length ? 'No patch baselines match.' : 'No patch baselines.',
        ),
      );
    });
}
