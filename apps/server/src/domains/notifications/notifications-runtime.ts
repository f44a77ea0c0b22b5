import type { Services } from '../../services.js';
import { OutboxConsumers } from '../../events/outbox-consumers.js';
import { DeliveriesStore } from './deliveries.store.js';
import { DeliveryLoop } from './delivery-loop.js';
import { NOTIFICATION_PUBLISH_EVENT, type NotificationPublishEvent } from './publish.js';
import { webhookTransport } from './transports/webhook.js';
import { slackTransport } from './transports/slack.js';
import { createEmailTransport } from './transports/email.js';

/** Name of the outbox consumer that fans published messages out to subscriptions. */
export const NOTIFICATIONS_CONSUMER = 'notifications';

export interface NotificationsRuntime {
  /** Stops fan-out and delivery, handing leased work back for the next replica. */
  stop(): Promise<void>;
}

export interface NotificationsRuntimeOptions {
  clock?: () => Date;
  /** Lease of a claimed delivery; a crashed replica's attempts are retried after it (default 60 s, above the HTTP timeout). */
  deliveryLeaseMs?: number;
}

/**
 * Starts the notifications consumer (outbox → one delivery per subscription)
 * and this replica's delivery loop. Every replica runs both: one of them at a
 * time holds the consumer's lease, and all of them share the deliveries.
 */
export function startNotifications(services: Services, options: NotificationsRuntimeOptions = {}): NotificationsRuntime {
  const clock = options.clock ?? (() => new Date());
  const now = () => clock().getTime();
  const { db, dialect, logger, secrets, config } = services;

  const consumers = new OutboxConsumers({ db, dialect, logger, now });
  const store = new DeliveriesStore({ db, dialect, secrets, owner: consumers.owner, leaseMs: options.deliveryLeaseMs ?? 60_000 });
  const email = createEmailTransport(config.smtpUrl ? { url: config.smtpUrl, from: config.smtpFrom } : undefined);
  const loop = new DeliveryLoop({
    store,
    logger,
    now,
    transports: { http: webhookTransport, https: webhookTransport, slack: slackTransport, email },
  });

  consumers.registerConsumer(
    NOTIFICATIONS_CONSUMER,
    async (event, trx) => {
      await store.fanOut(trx, event.payload as NotificationPublishEvent, event.occurredAt, now());
    },
    { eventTypes: [NOTIFICATION_PUBLISH_EVENT], afterCommit: () => loop.wake() },
  );
  consumers.start();
  loop.start();

  return {
    async stop() {
      await consumers.stop();
      await loop.stop();
      email.close();
    },
  };
}
