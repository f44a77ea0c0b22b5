import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { subscriptionNotFound, topicArnOfSubscription } from '../notification-arns.js';
import { DEFAULT_RETRY_POLICY, parseDeliveryPolicy } from '../delivery-policy.js';
import { arnMemberSchema, arnScope, notificationsStore } from './notification-operation.js';

/** GetSubscriptionAttributes (SNS). The signing secret is never answered, only whether one is set. */
export const getSubscriptionAttributes = defineOperation({
  service: 'Tend',
  name: 'GetSubscriptionAttributes',
  action: 'sns:GetSubscriptionAttributes',
  mutating: false,
  input: z.object({ SubscriptionArn: arnMemberSchema }),
  resources: (input, ctx) => [topicArnOfSubscription(input.SubscriptionArn, arnScope(ctx))],
  async run(input, ctx) {
    const s = await notificationsStore(ctx).getSubscription(input.SubscriptionArn);
    if (!s) throw subscriptionNotFound();
    const policy = s.attributes.DeliveryPolicy;
    return {
      Attributes: {
        SubscriptionArn: s.arn,
        TopicArn: s.topicArn,
        Owner: ctx.services.config.accountId,
        Protocol: s.protocol,
        Endpoint: s.endpoint,
        PendingConfirmation: 'false',
        ConfirmationWasAuthenticated: 'true',
        ...(s.protocol === 'http' || s.protocol === 'https' ? { RawMessageDelivery: s.attributes.RawMessageDelivery ?? 'false' } : {}),
        ...(policy !== undefined ? { DeliveryPolicy: policy } : {}),
        EffectiveDeliveryPolicy: JSON.stringify({ healthyRetryPolicy: policy !== undefined ? parseDeliveryPolicy(policy) : DEFAULT_RETRY_POLICY }),
        SigningSecretConfigured: String(s.hasSigningSecret),
      },
    };
  },
});
