import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { topicNameOf, topicNotFound } from '../notification-arns.js';
import { DEFAULT_RETRY_POLICY } from '../delivery-policy.js';
import { arnMemberSchema, arnScope, notificationsStore } from './notification-operation.js';

/** GetTopicAttributes (SNS). Subscriptions need no confirmation in Tend, so every one counts as confirmed. */
export const getTopicAttributes = defineOperation({
  service: 'Tend',
  name: 'GetTopicAttributes',
  action: 'sns:GetTopicAttributes',
  mutating: false,
  input: z.object({ TopicArn: arnMemberSchema }),
  resources: (input, ctx) => {
    topicNameOf(input.TopicArn, arnScope(ctx));
    return [input.TopicArn];
  },
  async run(input, ctx) {
    const store = notificationsStore(ctx);
    const topic = await store.getTopic(input.TopicArn);
    if (!topic) throw topicNotFound();
    const subscriptions = await store.countSubscriptions(topic.arn);
    return {
      Attributes: {
        TopicArn: topic.arn,
        Owner: ctx.services.config.accountId,
        DisplayName: topic.attributes.DisplayName ?? '',
        SubscriptionsConfirmed: String(subscriptions),
        SubscriptionsPending: '0',
        SubscriptionsDeleted: '0',
        // SNS's shape for a topic; Tend applies it to every protocol, and subscriptions may override it.
        EffectiveDeliveryPolicy: JSON.stringify({ http: { defaultHealthyRetryPolicy: DEFAULT_RETRY_POLICY, disableSubscriptionOverrides: false } }),
      },
    };
  },
});
