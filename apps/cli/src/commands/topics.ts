import type { Command } from 'commander';
import { registerTopicsCreate } from './topics-create.js';
import { registerTopicsLs } from './topics-ls.js';
import { registerTopicsRm } from './topics-rm.js';
import { registerTopicsSubscribe } from './topics-subscribe.js';
import { registerTopicsSubscriptions } from './topics-subscriptions.js';
import { registerTopicsUnsubscribe } from './topics-unsubscribe.js';
import { registerTopicsPublish } from './topics-publish.js';
import { registerTopicsDeliveries } from './topics-deliveries.js';

/** `tend topics …`: notification topics, their subscriptions and deliveries (Tend's SNS-shaped operations). */
export function registerTopicsCommands(program: Command): void {
  const topics = program
    .command('topics')
    .description('notification topics: create, list, delete, subscribe, unsubscribe, publish, deliveries');
  registerTopicsCreate(topics);
  registerTopicsLs(topics);
  registerTopicsRm(topics);
  registerTopicsSubscribe(topics);
  registerTopicsSubscriptions(topics);
  registerTopicsUnsubscribe(topics);
  registerTopicsPublish(topics);
  registerTopicsDeliveries(topics);
}
