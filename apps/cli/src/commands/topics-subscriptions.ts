import type { Command } from 'commander';
import { withTend } from '../api/ssm-client.js';
import { printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';
import { listAllPages, resolveTopicArn, topicNameOfArn, type Subscription } from './topics-api.js';

/** `tend topics subscriptions [TOPIC]`: Tend.ListSubscriptions, or ListSubscriptionsByTopic for one topic (all pages). */
export function registerTopicsSubscriptions(topics: Command): void {
  clientCommand(topics, 'subscriptions', 'list subscriptions: all of them, or those of TOPIC (endpoints shown masked)')
    .argument('[topic]', 'topic ARN or name')
    .action(async (topic: string | undefined, opts: ClientCommandOptions) => {
      const found = await withTend(opts, async (api) =>
        topic === undefined
          ? listAllPages<Subscription>(api, 'ListSubscriptions', {}, 'Subscriptions')
          : listAllPages<Subscription>(api, 'ListSubscriptionsByTopic', { TopicArn: await resolveTopicArn(api, topic) }, 'Subscriptions'),
      );
      printResult(opts, { Subscriptions: found }, () =>
        table(
          [{ header: 'topic' }, { header: 'protocol' }, { header: 'endpoint', maxWidth: 60 }, { header: 'subscription arn' }],
          found.map((s) => [topicNameOfArn(s.TopicArn), s.Protocol, s.Endpoint, s.SubscriptionArn]),
          topic === undefined ? 'No subscriptions.' : `No subscriptions to ${topic}.`,
        ),
      );
    });
}
