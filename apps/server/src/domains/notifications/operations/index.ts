import type { Operation } from '../../../rpc/operation.js';
import { createTopic } from './create-topic.js';
import { deleteTopic } from './delete-topic.js';
import { getSubscriptionAttributes } from './get-subscription-attributes.js';
import { getTopicAttributes } from './get-topic-attributes.js';
import { listDeliveries } from './list-deliveries.js';
import { listSubscriptions } from './list-subscriptions.js';
import { listSubscriptionsByTopic } from './list-subscriptions-by-topic.js';
import { listTopics } from './list-topics.js';
import { publish } from './publish.js';
import { subscribe } from './subscribe.js';
import { unsubscribe } from './unsubscribe.js';

/** Tend's SNS-shaped API (`Tend.<Name>`, action `sns:<Name>`): topics, subscriptions, publishing, and delivery records. */
export const notificationOperations: Operation[] = [
  createTopic,
  listTopics,
  getTopicAttributes,
  deleteTopic,
  subscribe,
  listSubscriptions,
  listSubscriptionsByTopic,
  getSubscriptionAttributes,
  unsubscribe,
  publish,
  listDeliveries,
];
