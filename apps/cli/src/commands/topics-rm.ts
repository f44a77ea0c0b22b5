import type { Command } from 'commander';
import { withTend } from '../api/ssm-client.js';
import { printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';
import { resolveTopicArn } from './topics-api.js';

/** `tend topics rm ARN|NAME`: Tend.DeleteTopic, with its subscriptions; undelivered messages end as Failed. */
export function registerTopicsRm(topics: Command): void {
  clientCommand(topics, 'rm', 'delete a topic and its subscriptions')
    .argument('<topic>', 'topic ARN or name')
    .action(async (topic: string, opts: ClientCommandOptions) => {
      const arn = await withTend(opts, async (api) => {
        const resolved = await resolveTopicArn(api, topic);
        await api.tend('DeleteTopic', { TopicArn: resolved });
        return resolved;
      });
      printResult(opts, { DeletedTopicArn: arn }, () => table([{ header: 'deleted' }], [[arn]], ''));
    });
}
