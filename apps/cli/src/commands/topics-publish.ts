import type { Command } from 'commander';
import { withTend } from '../api/ssm-client.js';
import { printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';
import { resolveTopicArn } from './topics-api.js';

interface PublishOptions extends ClientCommandOptions {
  message: string;
  subject?: string;
}

/** `tend topics publish TOPIC --message TEXT`: Tend.Publish; delivery follows (see `tend topics deliveries`). */
export function registerTopicsPublish(topics: Command): void {
  clientCommand(topics, 'publish', 'publish a message to every subscription of a topic')
    .argument('<topic>', 'topic ARN or name')
    .requiredOption('--message <text>', 'the message')
    .option('--subject <text>', 'subject line (email subject, Slack heading)')
    .action(async (topic: string, opts: PublishOptions) => {
      const { arn, out } = await withTend(opts, async (api) => {
        const resolved = await resolveTopicArn(api, topic);
        const published = await api.tend<{ MessageId: string }>('Publish', { TopicArn: resolved, Message: opts.message, Subject: opts.subject });
        return { arn: resolved, out: published };
      });
      printResult(opts, out, () => table([{ header: 'message id' }, { header: 'topic' }], [[out.MessageId, arn]], ''));
    });
}
