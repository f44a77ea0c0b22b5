import { Option, type Command } from 'commander';
import { withTend } from '../api/ssm-client.js';
import { formatDate, printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';
import { listAllPages, resolveTopicArn, secondsToDate, type Delivery } from './topics-api.js';

interface DeliveriesOptions extends ClientCommandOptions {
  status?: string;
  messageId?: string;
}

const STATUSES = ['Pending', 'Retrying', 'Delivered', 'Failed'];
const PAGE_SIZE = 100;

/**
 * `tend topics deliveries [TOPIC]`: Tend.ListDeliveries (all pages, newest
 * first): one row per message and subscription, with its attempts and the
 * last error.
 */
export function registerTopicsDeliveries(topics: Command): void {
  clientCommand(topics, 'deliveries', 'list message deliveries: status, attempts, last error')
    .argument('[topic]', 'only deliveries of this topic (ARN or name)')
    .addOption(new Option('--status <status>', 'only deliveries in this status').choices(STATUSES))
    .option('--message-id <id>', 'only the deliveries of this message')
    .action(async (topic: string | undefined, opts: DeliveriesOptions) => {
      const found = await withTend(opts, async (api) => {
        const input = {
          ...(topic !== undefined ? { TopicArn: await resolveTopicArn(api, topic) } : {}),
          ...(opts.status ? { Status: opts.status } : {}),
          ...(opts.messageId ? { MessageId: opts.messageId } : {}),
          MaxResults: PAGE_SIZE,
        };
        return listAllPages<Delivery>(api, 'ListDeliveries', input, 'Deliveries');
      });
      printResult(opts, { Deliveries: found }, () =>
        table(
          [{ header: 'time' }, { header: 'subscription' }, { header: 'status' }, { header: 'attempts', align: 'right' }, { header: 'last error', maxWidth: 60 }],
          found.map((d) => [
            formatDate(secondsToDate(d.LastAttemptTime ?? d.CreatedTime)),
            d.SubscriptionArn,
            d.Status,
            String(d.Attempts),
            d.LastError ?? '',
          ]),
          'No deliveries.',
        ),
      );
    });
}
