import type { Command } from 'commander';
import { withTend } from '../api/ssm-client.js';
import { printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';

/** `tend topics create NAME`: Tend.CreateTopic (idempotent: an existing topic's ARN is answered). */
export function registerTopicsCreate(topics: Command): void {
  clientCommand(topics, 'create', 'create a topic and print its ARN')
    .argument('<name>', 'topic name: letters, digits, - and _')
    .action(async (name: string, opts: ClientCommandOptions) => {
      const created = await withTend(opts, (api) => api.tend<{ TopicArn: string }>('CreateTopic', { Name: name }));
      printResult(opts, created, () => table([{ header: 'name' }, { header: 'arn' }], [[name, created.TopicArn]], ''));
    });
}
