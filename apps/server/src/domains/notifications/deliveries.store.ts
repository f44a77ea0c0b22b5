import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import type { Dialect } from '../../storage/database.js';
import type { SecretBox } from '../../security/secret-box.js';
import { subscriptionSecretContext } from './notifications.store.js';
import { messageForProtocol, type NotificationPublishEvent } from './publish.js';
import type { Protocol } from './endpoints.js';
import type { DeliveryTarget, OutgoingNotification } from './transports/transport.js';

/** A delivery this replica has leased and is about to attempt. */
export interface ClaimedDelivery {
  id: number;
  messageId: string;
  subscriptionArn: string;
  /** Attempts made before this one. */
  attempts: number;
}

/** Everything one attempt needs, secrets opened; `undefined` subscription when it was deleted meanwhile. */
export interface DeliveryWork {
  protocol: Protocol;
  notification: Omit<OutgoingNotification, 'attempt'>;
  target: DeliveryTarget;
  /** The subscription's DeliveryPolicy attribute, if set. */
  deliveryPolicy?: string;
}

export interface DeliveriesStoreOptions {
  db: Kysely<Database>;
  dialect: Dialect;
  secrets: SecretBox;
  /** This replica's lease owner name. */
  owner: string;
  /** How long a claimed delivery stays this replica's; after that (a crash) another replica may attempt it again. */
  leaseMs: number;
}

/** Storage side of delivery: fan-out of published messages, and claiming and recording attempts under a lease. */
export class DeliveriesStore {
  constructor(private readonly options: DeliveriesStoreOptions) {}

  /**
   * Records a published message and one Pending delivery per current
   * subscription of its topic, in the consumer's transaction. Idempotent:
   * running it again for the same message adds nothing.
   */
  async fanOut(trx: Kysely<Database>, event: NotificationPublishEvent, publishedAt: number, now: number): Promise<number> {
    await trx
      .insertInto('notification_messages')
      .values({
        message_id: event.messageId,
        topic_arn: event.topicArn,
        subject: event.subject ?? null,
        message: event.message,
        message_structure: event.messageStructure ?? null,
        message_attributes: event.messageAttributes ? JSON.stringify(event.messageAttributes) : null,
        published_at: publishedAt,
      })
      .onConflict((oc) => oc.column('message_id').doNothing())
      .execute();
    const subscriptions = await trx
      .selectFrom('notification_subscriptions')
      .select(['arn', 'protocol', 'endpoint_display'])
      .where('topic_arn', '=', event.topicArn)
      .execute();
    if (subscriptions.length === 0) return 0;
    const inserted = await trx
      .insertInto('notification_deliveries')
      .values(
        subscriptions.map((s) => ({
          message_id: event.messageId,
          subscription_arn: s.arn,
          topic_arn: event.topicArn,
          protocol: s.protocol,
          endpoint_display: s.endpoint_display,
          status: 'Pending' as const,
          attempts: 0,
          next_attempt_at: now,
          created_at: now,
        })),
      )
      .onConflict((oc) => oc.columns(['message_id', 'subscription_arn']).doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0);
  }

  /**
   * Leases up to `limit` due deliveries, oldest due first, skipping the
   * subscriptions in `exclude` (already busy here). On PostgreSQL rows
   * another replica is claiming at the same moment are skipped, not waited
   * for (SKIP LOCKED); on SQLite the single writer serializes claims.
   */
  async claimDue(now: number, limit: number, exclude: readonly string[]): Promise<ClaimedDelivery[]> {
    const { db, dialect, owner, leaseMs } = this.options;
    if (limit <= 0) return [];
    let due = db
      .selectFrom('notification_deliveries')
      .select('id')
      .where('status', 'in', ['Pending', 'Retrying'])
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', now)]))
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(limit);
    if (exclude.length) due = due.where('subscription_arn', 'not in', exclude);
    if (dialect === 'postgres') due = due.forUpdate().skipLocked();
    const rows = await db
      .updateTable('notification_deliveries')
      .set({ lease_owner: owner, lease_expires_at: now + leaseMs })
      .where('id', 'in', due)
      .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', now)]))
      .returning(['id', 'message_id', 'subscription_arn', 'attempts'])
      .execute();
    return rows.map((r) => ({ id: Number(r.id), messageId: r.message_id, subscriptionArn: r.subscription_arn, attempts: r.attempts }));
  }

  /** The message, subscription and topic of a claimed delivery, with the endpoint and signing secret opened. */
  async work(claimed: ClaimedDelivery): Promise<DeliveryWork | undefined> {
    const row = await this.options.db
      .selectFrom('notification_messages as m')
      .leftJoin('notification_subscriptions as s', (join) => join.on('s.arn', '=', claimed.subscriptionArn))
      .leftJoin('notification_topics as t', 't.arn', 'm.topic_arn')
      .select([
        'm.topic_arn',
        'm.subject',
        'm.message',
        'm.message_structure',
        'm.message_attributes',
        'm.published_at',
        's.arn as subscription_arn',
        's.protocol',
        's.endpoint_sealed',
        's.signing_secret_sealed',
        's.attributes',
        't.name as topic_name',
        't.attributes as topic_attributes',
      ])
      .where('m.message_id', '=', claimed.messageId)
      .executeTakeFirst();
    if (!row || !row.subscription_arn || !row.protocol || !row.endpoint_sealed || row.attributes === null) return undefined;
    const { secrets } = this.options;
    const arn = row.subscription_arn;
    const attributes = JSON.parse(row.attributes) as Record<string, string>;
    const topicAttributes = row.topic_attributes ? (JSON.parse(row.topic_attributes) as Record<string, string>) : {};
    const protocol = row.protocol as Protocol;
    return {
      protocol,
      deliveryPolicy: attributes.DeliveryPolicy,
      target: {
        endpoint: secrets.decrypt(row.endpoint_sealed, subscriptionSecretContext(arn, 'endpoint')),
        signingSecret: row.signing_secret_sealed ? secrets.decrypt(row.signing_secret_sealed, subscriptionSecretContext(arn, 'signing-secret')) : undefined,
        rawMessageDelivery: attributes.RawMessageDelivery === 'true',
      },
      notification: {
        messageId: claimed.messageId,
        topicArn: row.topic_arn,
        topicTitle: topicAttributes.DisplayName || row.topic_name || row.topic_arn.split(':').pop()!,
        subscriptionArn: arn,
        ...(row.subject !== null ? { subject: row.subject } : {}),
        message: messageForProtocol(row.message, row.message_structure, protocol),
        ...(row.message_attributes ? { messageAttributes: JSON.parse(row.message_attributes) } : {}),
        publishedAt: Number(row.published_at),
      },
    };
  }

  /** Records a successful attempt. Fenced on the lease, like every update below. */
  async recordDelivered(claimed: ClaimedDelivery, now: number): Promise<void> {
    await this.finish(claimed, { status: 'Delivered', attempts: claimed.attempts + 1, next_attempt_at: null, delivered_at: now, last_attempt_at: now });
  }

  /** Records a failed attempt: Retrying with the next attempt's time, or Failed when `nextAttemptAt` is null. */
  async recordFailed(claimed: ClaimedDelivery, error: string, nextAttemptAt: number | null, now: number, countsAsAttempt = true): Promise<void> {
    await this.finish(claimed, {
      status: nextAttemptAt === null ? 'Failed' : 'Retrying',
      attempts: claimed.attempts + (countsAsAttempt ? 1 : 0),
      next_attempt_at: nextAttemptAt,
      last_error: error,
      ...(countsAsAttempt ? { last_attempt_at: now } : {}),
    });
  }

  /** Gives a claimed delivery back untouched (this replica is stopping): it is due again at once for whoever claims next. */
  async release(claimed: ClaimedDelivery): Promise<void> {
    await this.finish(claimed, {});
  }

  private async finish(claimed: ClaimedDelivery, changes: Partial<Database['notification_deliveries']>): Promise<void> {
    await this.options.db
      .updateTable('notification_deliveries')
      .set({ ...changes, lease_owner: null, lease_expires_at: null })
      .where('id', '=', claimed.id)
      .where('lease_owner', '=', this.options.owner)
      .execute();
  }
}
