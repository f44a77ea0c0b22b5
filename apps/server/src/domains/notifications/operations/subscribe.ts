import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { invalidParameter, topicNameOf } from '../notification-arns.js';
import { checkEndpoint, parseProtocol } from '../endpoints.js';
import { parseDeliveryPolicy } from '../delivery-policy.js';
import { arnMemberSchema, arnScope, attributeMapSchema, checkAttributeNames, notificationsStore } from './notification-operation.js';

const SUBSCRIPTION_ATTRIBUTES = ['DeliveryPolicy', 'RawMessageDelivery', 'SigningSecret'] as const;
const SNS_SUBSCRIPTION_ATTRIBUTES = ['FilterPolicy', 'FilterPolicyScope', 'RedrivePolicy', 'SubscriptionRoleArn', 'ReplayPolicy'];
const MIN_SIGNING_SECRET_CHARS = 16;

/**
 * Subscribe (SNS): `http`/`https` webhooks, `slack` incoming webhooks and
 * `email`. Tend skips SNS's confirmation handshake (only a principal allowed
 * sns:Subscribe on the topic can subscribe), so the answer is the real
 * SubscriptionArn at once.
 *
 * Webhooks are signed (header `x-tend-signature`, see transports/webhook.ts)
 * with a per-subscription secret: give it as the `SigningSecret` attribute,
 * or Tend generates one and answers it as `SigningSecret`, this once only;
 * it is stored sealed and never shown again.
 */
export const subscribe = defineOperation({
  service: 'Tend',
  name: 'Subscribe',
  action: 'sns:Subscribe',
  mutating: true,
  input: z.object({
    TopicArn: arnMemberSchema,
    Protocol: z.string().min(1).max(32),
    Endpoint: z.string().min(1).max(2048),
    Attributes: attributeMapSchema.optional(),
    // Accepted for SNS compatibility: the answer is always the subscription's ARN, as nothing waits for confirmation.
    ReturnSubscriptionArn: z.boolean().optional(),
  }),
  resources: (input, ctx) => {
    topicNameOf(input.TopicArn, arnScope(ctx));
    return [input.TopicArn];
  },
  async run(input, ctx) {
    const protocol = parseProtocol(input.Protocol);
    checkEndpoint(protocol, input.Endpoint);
    const { SigningSecret: givenSecret, ...attributes } = input.Attributes ?? {};
    checkAttributeNames(attributes, SUBSCRIPTION_ATTRIBUTES, SNS_SUBSCRIPTION_ATTRIBUTES);
    const isWebhook = protocol === 'http' || protocol === 'https';
    if (attributes.DeliveryPolicy !== undefined) parseDeliveryPolicy(attributes.DeliveryPolicy);
    if (attributes.RawMessageDelivery !== undefined) {
      if (!isWebhook) throw invalidParameter('Attributes Reason: RawMessageDelivery applies to http and https subscriptions only');
      if (attributes.RawMessageDelivery !== 'true' && attributes.RawMessageDelivery !== 'false') {
        throw invalidParameter('Attributes Reason: RawMessageDelivery must be true or false');
      }
    }
    if (givenSecret !== undefined) {
      if (!isWebhook) throw invalidParameter('Attributes Reason: SigningSecret applies to http and https subscriptions only');
      if (givenSecret.length < MIN_SIGNING_SECRET_CHARS) throw invalidParameter(`Attributes Reason: SigningSecret must be at least ${MIN_SIGNING_SECRET_CHARS} characters`);
    }
    const result = await notificationsStore(ctx).subscribe({
      topicArn: input.TopicArn,
      protocol,
      endpoint: input.Endpoint,
      attributes,
      signingSecret: givenSecret,
      generateSigningSecret: isWebhook,
    });
    // Only a secret generated for a new subscription is answered; an existing one's is never shown again.
    return { SubscriptionArn: result.arn, ...(result.generatedSecret ? { SigningSecret: result.generatedSecret } : {}) };
  },
});
