import { Option, type Command } from 'commander';
import { paginateListCommands, type Command as SsmCommand, type CommandFilter } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { commandsTable } from '../output/commands.js';
import { printResult } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';
import { COMMANDS_PAGE_SIZE } from './commands-api.js';
import { positiveInteger } from './option-parsers.js';

interface LsOptions extends ClientCommandOptions {
  status?: string;
  instance?: string;
  max: string;
}

const STATUSES = ['Pending', 'InProgress', 'Success', 'Cancelling', 'Cancelled', 'Failed', 'TimedOut'];
const DEFAULT_MAX = '50';

/**
 * `tend commands ls`: ListCommands, newest first, up to --max of them (the
 * history only grows, so listing it all is rarely what anyone wants).
 */
export function registerCommandsLs(commands: Command): void {
  clientCommand(commands, 'ls', 'list commands, newest first: id, document, status, completed/targeted, errors, when')
    .addOption(new Option('--status <status>', 'only commands in this status').choices(STATUSES))
    .option('--instance <id>', 'only commands that targeted this node (mi-…)')
    .option('--max <n>', 'at most this many commands', DEFAULT_MAX)
    .action(async (opts: LsOptions) => {
      const max = positiveInteger('--max', opts.max);
      const filters: CommandFilter[] = opts.status ? [{ key: 'Status', value: opts.status }] : [];
      const found = await withSsm(opts, async (ssm) => {
        const all: SsmCommand[] = [];
        const input = { InstanceId: opts.instance, Filters: filters.length ? filters : undefined, MaxResults: Math.min(max, COMMANDS_PAGE_SIZE) };
        for await (const page of paginateListCommands({ client: ssm, pageSize: input.MaxResults }, input)) {
          all.push(...(page.Commands ?? []));
          if (all.length >= max) break;
        }
        return all.slice(0, max);
      });
      const filtered = Boolean(opts.status || opts.instance);
      printResult(opts, { Commands: found }, () =>
        commandsTable(found, filtered ? 'No commands match.' : "No commands yet. Run one with `tend run --targets tag:Env=prod -- 'uptime'`."),
      );
    });
}
