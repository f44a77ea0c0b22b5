import type { Command } from 'commander';
import { CreateOpsItemCommand } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';
import { positiveInteger, repeatable } from './option-parsers.js';

interface CreateOptions extends ClientCommandOptions {
  title: string;
  description: string;
  source: string;
  priority?: string;
  severity?: string;
  category?: string;
  notify: string[];
}

/** `tend ops create --title … --description … --source …`: CreateOpsItem. */
export function registerOpsCreate(ops: Command): void {
  clientCommand(ops, 'create', 'open an OpsItem')
    .requiredOption('--title <text>', 'a short heading: what is wrong, and where')
    .requiredOption('--description <text>', 'what someone seeing it for the first time needs to know (Markdown)')
    .requiredOption('--source <name>', 'where the problem was seen, e.g. monitoring (not containing aws, amazon or amzn)')
    .option('--priority <1-5>', 'importance among the other OpsItems, 1 the highest')
    .option('--severity <1-4>', 'severity, 1 critical to 4 low')
    .option('--category <name>', 'e.g. Availability, Cost, Performance, Recovery, Security')
    .option('--notify <topic-arn>', 'tell this topic when the item opens and when its status changes (repeatable)', repeatable, [])
    .action(async (opts: CreateOptions) => {
      const created = await withSsm(opts, (ssm) =>
        ssm.send(
          new CreateOpsItemCommand({
            Title: opts.title,
            Description: opts.description,
            Source: opts.source,
            Priority: opts.priority === undefined ? undefined : positiveInteger('--priority', opts.priority),
            Severity: opts.severity,
            Category: opts.category,
            Notifications: opts.notify.length ? opts.notify.map((Arn) => ({ Arn })) : undefined,
          }),
        ),
      );
      const { OpsItemId, OpsItemArn } = created;
      printResult(opts, { OpsItemId, OpsItemArn }, () => table([{ header: 'ops item id' }], [[OpsItemId ?? '']], ''));
    });
}
