import type { MessageAttributeValue } from '../publish.js';

/** One message on its way to one subscription, as every transport sees it. */
export interface OutgoingNotification {
  messageId: string;
  topicArn: string;
  /** The topic's DisplayName, or its name. */
  topicTitle: string;
  subscriptionArn: string;
  subject?: string;
  /** The text for this subscription's protocol (MessageStructure json already resolved). */
  message: string;
  messageAttributes?: Record<string, MessageAttributeValue>;
  /** Publish time, epoch milliseconds. */
  publishedAt: number;
  /** 1 for the first attempt. */
  attempt: number;
}

/** Where it goes; the endpoint and secret are opened from their sealed form just for the attempt. */
export interface DeliveryTarget {
  endpoint: string;
  signingSecret?: string;
  /** http/https: post the message itself instead of the JSON envelope (SNS's RawMessageDelivery). */
  rawMessageDelivery: boolean;
}

/** Sends one message; resolves once the receiver accepted it, throws DeliveryError otherwise. */
export interface Transport {
  send(notification: OutgoingNotification, target: DeliveryTarget, signal: AbortSignal): Promise<void>;
}

/**
 * A failed attempt. `retryable` false means retrying cannot help (the
 * receiver refused the request itself), so the delivery ends as Failed at
 * once. Messages must never contain the endpoint or a secret: they are
 * stored and shown by ListDeliveries.
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}
