import { Option, type Command } from 'commander';
import { RegisterTargetWithMaintenanceWindowCommand } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';
import { repeatable } from './option-parsers.js';
import { parseTarget } from './run-options.js';

interface AddTargetOptions extends ClientCommandOptions {
  targets: string[];
  resourceType: 'INSTANCE' | 'RESOURCE_GROUP';
  name?: string;
  owner?: string;
  description?: string;
}

/** `tend windows add-target ID --targets tag:Env=prod`: RegisterTargetWithMaintenanceWindow. */
export function registerWindowsAddTarget(windows: Command): void {
  clientCommand(windows, 'add-target', "register nodes as a target of a window (its tasks name targets by the id printed)")
    .argument('<window-id>', 'mw-… id')
    .requiredOption('--targets <key=values>', 'tag:Env=prod, InstanceIds=mi-1,mi-2, resource-groups:Name=web, or Key=…,Values=… (repeatable)', repeatable, [])
    .addOption(new Option('--resource-type <type>', 'INSTANCE, or RESOURCE_GROUP for resource-groups: targets').choices(['INSTANCE', 'RESOURCE_GROUP']).default('INSTANCE'))
    .option('--name <name>', 'a name for the target')
    .option('--owner <text>', 'owner information, reported with every task invocation on these nodes')
    .option('--description <text>', 'what the target is')
    .action(async (windowId: string, opts: AddTargetOptions) => {
      const { WindowTargetId } = await withSsm(opts, (ssm) =>
        ssm.send(
          new RegisterTargetWithMaintenanceWindowCommand({
            WindowId: windowId,
            ResourceType: opts.resourceType,
            Targets: opts.targets.map(parseTarget),
            Name: opts.name,
            OwnerInformation: opts.owner,
            Description: opts.description,
          }),
        ),
      );
      printResult(opts, { WindowTargetId }, () => table([{ header: 'window target id' }], [[WindowTargetId ?? '']], ''));
    });
}
