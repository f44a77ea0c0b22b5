import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { decodeNextToken, encodeNextToken, queryFingerprint } from '../../../rpc/page-token.js';
import { ServiceError } from '../../../rpc/errors.js';
import { invalidParameter, topicArnOfSubscription, topicNameOf } from '../notification-arns.js';
import { DELIVERY_STATUSES, type DeliveryRecord } from '../notifications.store.js';
import { arnMemberSchema, arnScope, notificationsStore } from './notification-operation.js';

const DEFAULT_MAX_RESULTS = 50;

/**
 * Tend.ListDeliveries: one row per message and subscription, newest first,
 * with its status (Pending, Retrying, Delivered, Failed), the attempts made,
 * the last error and when the next attempt is due. Times are epoch seconds,
 * as on the rest of this protocol.
 */
export const listDeliveries = defineOperation({
  service: 'Tend',
  name: 'ListDeliveries',
  action: 'sns:ListDeliveries',
  mutating: false,
  input: z.object({
    TopicArn: arnMemberSchema.optional(),
    SubscriptionArn: arnMemberSchema.optional(),
    MessageId: z.string().min(1).max(100).optional(),
    Status: z.enum(DELIVERY_STATUSES as [string, ...string[]]).optional(),
    MaxResults: z.number().int().min(1).max(100).optional(),
    NextToken: z.string().min(1).max(8192).optional(),
  }),
  resources: (input, ctx) => {
    const scope = arnScope(ctx);
    const topics = new Set<string>();
    if (input.TopicArn !== undefined) {
      topicNameOf(input.TopicArn, scope);
      topics.add(input.TopicArn);
    }
    if (input.SubscriptionArn !== undefined) topics.add(topicArnOfSubscription(input.SubscriptionArn, scope));
    // Without a topic or subscription the listing spans every topic: the account-wide resource.
    return [...topics];
  },
  async run(input, ctx) {
    const limit = input.MaxResults ?? DEFAULT_MAX_RESULTS;
    const { NextToken, MaxResults, ...filter } = input;
    const fingerprint = queryFingerprint(['ListDeliveries', filter]);
    let beforeId: number | undefined;
    try {
      beforeId = decodeNextToken<number>(NextToken, fingerprint, 'number');
    } catch (err) {
      if (err instanceof ServiceError) throw invalidParameter('NextToken');
      throw err;
    }
    const rows = await notificationsStore(ctx).listDeliveries({
      topicArn: input.TopicArn,
      subscriptionArn: input.SubscriptionArn,
      messageId: input.MessageId,
      status: input.Status as DeliveryRecord['status'] | undefined,
      beforeId,
      limit: limit + 1,
    });
    const items = rows.slice(0, limit);
    return {
      Deliveries: items.map(deliveryShape),
      ...(rows.length > limit ? { NextToken: encodeNextToken(items[items.length - 1]!.id, fingerprint) } : {}),
    };
  },
});

const seconds = (ms: number | null) => (ms === null ? undefined : ms / 1000);

function deliveryShape(d: DeliveryRecord) {
  return {
    DeliveryId: String(d.id),
    MessageId: d.messageId,
    TopicArn: d.topicArn,
    SubscriptionArn: d.subscriptionArn,
    Protocol: d.protocol,
    Endpoint: d.endpoint,
    Status: d.status,
    Attempts: d.attempts,
    ...(d.lastError !== null ? { LastError: d.lastError } : {}),
    ...(d.lastAttemptAt !== null ? { LastAttemptTime: seconds(d.lastAttemptAt) } : {}),
    ...(d.nextAttemptAt !== null && (d.status === 'Pending' || d.status === 'Retrying') ? { NextAttemptTime: seconds(d.nextAttemptAt) } : {}),
    ...(d.deliveredAt !== null ? { DeliveredTime: seconds(d.deliveredAt) } : {}),
    CreatedTime: d.createdAt / 1000,
  };
}
