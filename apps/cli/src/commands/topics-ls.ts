import type { Command } from 'commander';
import { withTend } from '../api/ssm-client.js';
import { printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';
import { listAllPages, listTopicArns, topicNameOfArn, type Subscription } from './topics-api.js';

/** `tend topics ls`: every topic (Tend.ListTopics, all pages) with how many subscriptions it has. */
export function registerTopicsLs(topics: Command): void {
  clientCommand(topics, 'ls', 'list topics with their number of subscriptions')
    .action(async (opts: ClientCommandOptions) => {
      const { arns, subscriptions } = await withTend(opts, async (api) => ({
        arns: await listTopicArns(api),
        subscriptions: await listAllPages<Subscription>(api, 'ListSubscriptions', {}, 'Subscriptions'),
      }));
      const count = (arn: string) => subscriptions.filter((s) => s.TopicArn === arn).length;
      printResult(opts, { Topics: arns.map((arn) => ({ TopicArn: arn })) }, () =>
        table(
          [{ header: 'name' }, { header: 'subscriptions', align: 'right' }, { header: 'arn' }],
          arns.map((arn) => [topicNameOfArn(arn), String(count(arn)), arn]),
          'No topics. Create one with `tend topics create NAME`.',
        ),
      );
    });
}
