import { createHmac, timingSafeEqual } from 'node:crypto';
import { postToEndpoint } from './http-post.js';
import type { DeliveryTarget, OutgoingNotification, Transport } from './transport.js';

/**
 * Header carrying the body's signature: `sha256=` and the lower-case hex
 * HMAC-SHA256 of the exact request body bytes, keyed with the
 * subscription's signing secret (UTF-8). To verify, recompute it over the raw
 * body before parsing it and compare in constant time (`verifySignature`
 * below); then reject a Timestamp older than you tolerate and drop a
 * MessageId you have seen (deliveries are at least once).
 */
export const SIGNATURE_HEADER = 'x-tend-signature';

export function signBody(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** What a receiver does with SIGNATURE_HEADER: true when `header` signs `body` with `secret`. */
export function verifySignature(secret: string, body: string | Buffer, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signBody(secret, body));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * http/https subscriptions: SNS's notification envelope as JSON (or the bare
 * message with RawMessageDelivery), with SNS's `x-amz-sns-*` headers so
 * existing SNS receivers route it, signed when the subscription has a secret.
 */
export const webhookTransport: Transport = {
  async send(n: OutgoingNotification, target: DeliveryTarget, signal: AbortSignal) {
    const body = target.rawMessageDelivery ? n.message : JSON.stringify(envelope(n));
    const headers: Record<string, string> = {
      'content-type': target.rawMessageDelivery ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
      'user-agent': 'Tend-Notifications/1',
      'x-amz-sns-message-type': 'Notification',
      'x-amz-sns-message-id': n.messageId,
      'x-amz-sns-topic-arn': n.topicArn,
      'x-amz-sns-subscription-arn': n.subscriptionArn,
      'x-tend-delivery-attempt': String(n.attempt),
    };
    if (target.rawMessageDelivery) headers['x-amz-sns-rawdelivery'] = 'true';
    if (target.signingSecret) headers[SIGNATURE_HEADER] = signBody(target.signingSecret, body);
    await postToEndpoint(target.endpoint, body, headers, signal);
  },
};

function envelope(n: OutgoingNotification) {
  return {
    Type: 'Notification',
    MessageId: n.messageId,
    TopicArn: n.topicArn,
    SubscriptionArn: n.subscriptionArn,
    ...(n.subject !== undefined ? { Subject: n.subject } : {}),
    Message: n.message,
    Timestamp: new Date(n.publishedAt).toISOString(),
    ...(n.messageAttributes
      ? { MessageAttributes: Object.fromEntries(Object.entries(n.messageAttributes).map(([k, v]) => [k, { Type: v.DataType, Value: v.StringValue }])) }
      : {}),
  };
}
