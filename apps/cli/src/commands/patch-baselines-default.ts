import { Option, type Command } from 'commander';
import { GetDefaultPatchBaselineCommand, GetPatchBaselineCommand, OperatingSystem, RegisterDefaultPatchBaselineCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';
import { PATCHED_OPERATING_SYSTEMS } from './patch-baselines.js';

interface DefaultOptions extends ClientCommandOptions {
  os?: string;
}

interface DefaultRow {
  OperatingSystem: string;
  BaselineId: string;
  BaselineName: string;
}

/**
 * `tend patch baselines default [ID]`: with an id, RegisterDefaultPatchBaseline
 * (the baseline becomes the default of its OS); without, the default
 * baseline of every OS Tend patches (or of --os).
 */
export function registerPatchBaselinesDefault(baselines: Command): void {
  clientCommand(baselines, 'default', 'show the default baseline of each OS, or make a baseline the default of its OS')
    .argument('[baseline-id]', 'make this baseline the default for its operating system')
    .addOption(new Option('--os <os>', 'show only this operating system').choices(Object.values(OperatingSystem)))
    .action(async (id: string | undefined, opts: DefaultOptions) => {
      const rows = await withSsm(opts, async (ssm) => {
        if (id) {
          const { BaselineId } = await ssm.send(new RegisterDefaultPatchBaselineCommand({ BaselineId: id }));
          const b = await ssm.send(new GetPatchBaselineCommand({ BaselineId: BaselineId! }));
          return [{ OperatingSystem: b.OperatingSystem ?? '', BaselineId: BaselineId!, BaselineName: b.Name ?? '' }];
        }
        const systems = opts.os ? [opts.os] : [...PATCHED_OPERATING_SYSTEMS];
        return Promise.all(systems.map((os) => defaultOf(ssm, os)));
      });
      printResult(opts, { Defaults: rows }, () =>
        table(
          [{ header: 'os' }, { header: 'baseline id' }, { header: 'name' }],
          rows.map((r) => [r.OperatingSystem, r.BaselineId, r.BaselineName]),
          'No default baselines.',
        ),
      );
    });
}

async function defaultOf(ssm: SSMClient, os: string): Promise<DefaultRow> {
  try {
    const { BaselineId } = await ssm.send(new GetDefaultPatchBaselineCommand({ OperatingSystem: os as OperatingSystem }));
    const b = await ssm.send(new GetPatchBaselineCommand({ BaselineId: BaselineId! }));
    return { OperatingSystem: os, BaselineId: BaselineId!, BaselineName: b.Name ?? '' };
  } catch (err) {
    // An OS without a predefined baseline has no default until one is registered.
    if ((err as Error).name === 'DoesNotExistException') return { OperatingSystem: os, BaselineId: '', BaselineName: '(none)' };
    throw err;
  }
}
