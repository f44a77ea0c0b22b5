import type { Command } from 'commander';
import { withTend } from '../api/ssm-client.js';
import { printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';

/** `tend topics unsubscribe ARN`: Tend.Unsubscribe. */
export function registerTopicsUnsubscribe(topics: Command): void {
  clientCommand(topics, 'unsubscribe', 'delete a subscription')
    .argument('<subscription-arn>', 'subscription ARN (see `tend topics subscriptions`)')
    .action(async (arn: string, opts: ClientCommandOptions) => {
      await withTend(opts, (api) => api.tend('Unsubscribe', { SubscriptionArn: arn }));
      printResult(opts, { DeletedSubscriptionArn: arn }, () => table([{ header: 'unsubscribed' }], [[arn]], ''));
    });
}
