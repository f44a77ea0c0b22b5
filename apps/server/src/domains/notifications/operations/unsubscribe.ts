import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { subscriptionNotFound, topicArnOfSubscription } from '../notification-arns.js';
import { arnMemberSchema, arnScope, notificationsStore } from './notification-operation.js';

/**
 * Unsubscribe (SNS): removes the subscription; messages not yet delivered to
 * it end as Failed. Authorized on the subscription's topic, as SNS does.
 */
export const unsubscribe = defineOperation({
  service: 'Tend',
  name: 'Unsubscribe',
  action: 'sns:Unsubscribe',
  mutating: true,
  input: z.object({ SubscriptionArn: arnMemberSchema }),
  resources: (input, ctx) => [topicArnOfSubscription(input.SubscriptionArn, arnScope(ctx))],
  async run(input, ctx) {
    if (!(await notificationsStore(ctx).unsubscribe(input.SubscriptionArn))) throw subscriptionNotFound();
    return {};
  },
});
