import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import type { SecretBox } from '../../security/secret-box.js';
import type { Tag } from '../tags/tag-rules.js';
import { deleteResourceTags, readResourceTags, upsertResourceTags } from '../tags/tags.store.js';
import type { ArnScope } from '../tags/tag-resource-types.js';
import { invalidParameter, subscriptionArn, topicArn, topicNotFound, TOPIC_TAG_RESOURCE } from './notification-arns.js';
import { displayEndpoint, type Protocol } from './endpoints.js';

export type DeliveryStatus = Database['notification_deliveries']['status'];
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['Pending', 'Retrying', 'Delivered', 'Failed'];

export interface TopicRecord {
  name: string;
  arn: string;
  attributes: Record<string, string>;
  createdAt: number;
}

export interface SubscriptionRecord {
  arn: string;
  topicArn: string;
  protocol: Protocol;
  /** Redacted endpoint (no credentials). */
  endpoint: string;
  attributes: Record<string, string>;
  hasSigningSecret: boolean;
  createdAt: number;
}

export interface DeliveryRecord {
  id: number;
  messageId: string;
  topicArn: string;
  subscriptionArn: string;
  protocol: string;
  endpoint: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number | null;
  lastError: string | null;
  lastAttemptAt: number | null;
  deliveredAt: number | null;
  createdAt: number;
}

export interface NotificationsStoreOptions {
  db: Kysely<Database>;
  secrets: SecretBox;
  scope: ArnScope;
  now?: () => number;
}

/** Why deliveries still waiting for a subscription that goes away end as Failed. */
const SUBSCRIPTION_GONE = 'The subscription was deleted before the message was delivered';

/** AAD of a subscription's sealed values, so a ciphertext copied to another subscription does not open. */
export function subscriptionSecretContext(arn: string, what: 'endpoint' | 'signing-secret'): string {
  return `sns-subscription:${arn}:${what}`;
}

/** Topics, subscriptions and the delivery records shown by ListDeliveries. */
export class NotificationsStore {
  private readonly db: Kysely<Database>;
  private readonly now: () => number;

  constructor(private readonly options: NotificationsStoreOptions) {
    this.db = options.db;
    this.now = options.now ?? Date.now;
  }

  topicArn(name: string): string {
    return topicArn(this.options.scope, name);
  }

  /**
   * Creates a topic, or answers the existing one's ARN when the name is taken
   * with the same attributes (and, when given, the same tags), as SNS does.
   */
  async createTopic(name: string, attributes: Record<string, string>, tags: Tag[] | undefined): Promise<string> {
    const arn = this.topicArn(name);
    return this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('notification_topics')
        .values({ name, arn, attributes: canonicalJson(attributes), created_at: this.now() })
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) {
        if (tags?.length) await upsertResourceTags(trx, TOPIC_TAG_RESOURCE, name, tags);
        return arn;
      }
      const existing = await trx.selectFrom('notification_topics').select('attributes').where('name', '=', name).executeTakeFirstOrThrow();
      if (existing.attributes !== canonicalJson(attributes)) throw invalidParameter('Attributes Reason: Topic already exists with different attributes');
      if (tags !== undefined) {
        const current = await readResourceTags(trx, TOPIC_TAG_RESOURCE, name);
        if (canonicalJson(tagMap(current)) !== canonicalJson(tagMap(tags))) throw invalidParameter('Tags Reason: Topic already exists with different tags');
      }
      return arn;
    });
  }

  async getTopic(arn: string): Promise<TopicRecord | undefined> {
    const row = await this.db.selectFrom('notification_topics').selectAll().where('arn', '=', arn).executeTakeFirst();
    return row && { name: row.name, arn: row.arn, attributes: JSON.parse(row.attributes), createdAt: Number(row.created_at) };
  }

  async topicTags(name: string): Promise<Tag[]> {
    return readResourceTags(this.db, TOPIC_TAG_RESOURCE, name);
  }

  /** Topic ARNs ordered by name, after `afterName`. */
  async listTopics(afterName: string | undefined, limit: number): Promise<{ name: string; arn: string }[]> {
    let q = this.db.selectFrom('notification_topics').select(['name', 'arn']).orderBy('name').limit(limit);
    if (afterName !== undefined) q = q.where('name', '>', afterName);
    return q.execute();
  }

  /** Deletes a topic, its tags and its subscriptions; false when there was none. */
  async deleteTopic(arn: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const topic = await trx.deleteFrom('notification_topics').where('arn', '=', arn).returning('name').executeTakeFirst();
      if (!topic) return false;
      await deleteResourceTags(trx, TOPIC_TAG_RESOURCE, topic.name);
      await this.failWaitingDeliveries(trx, 'topic_arn', arn);
      await trx.deleteFrom('notification_subscriptions').where('topic_arn', '=', arn).execute();
      return true;
    });
  }

  async countSubscriptions(topic: string): Promise<number> {
    const row = await this.db
      .selectFrom('notification_subscriptions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('topic_arn', '=', topic)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Subscribes an endpoint to a topic. Subscribing the same endpoint with the
   * same protocol again answers the existing subscription (`created` false),
   * as SNS does; with other attributes (or another signing secret) it is refused.
   * With `generateSigningSecret` and no `signingSecret`, a new subscription
   * gets a random secret, answered this once as `generatedSecret`.
   */
  async subscribe(input: {
    topicArn: string;
    protocol: Protocol;
    endpoint: string;
    attributes: Record<string, string>;
    signingSecret?: string;
    generateSigningSecret?: boolean;
  }): Promise<{ arn: string; created: boolean; generatedSecret?: string }> {
    const { secrets } = this.options;
    return this.db.transaction().execute(async (trx) => {
      const topic = await trx.selectFrom('notification_topics').select('arn').where('arn', '=', input.topicArn).executeTakeFirst();
      if (!topic) throw topicNotFound();
      // Endpoints are sealed with a random IV, so a duplicate is found by opening the topic's few subscriptions of this protocol.
      const siblings = await trx
        .selectFrom('notification_subscriptions')
        .select(['arn', 'endpoint_sealed', 'signing_secret_sealed', 'attributes'])
        .where('topic_arn', '=', input.topicArn)
        .where('protocol', '=', input.protocol)
        .execute();
      const same = siblings.find((s) => secrets.decrypt(s.endpoint_sealed, subscriptionSecretContext(s.arn, 'endpoint')) === input.endpoint);
      if (same) {
        const sameSecret =
          input.signingSecret === undefined ||
          (same.signing_secret_sealed !== null &&
            secrets.decrypt(same.signing_secret_sealed, subscriptionSecretContext(same.arn, 'signing-secret')) === input.signingSecret);
        if (same.attributes !== canonicalJson(input.attributes) || !sameSecret) {
          throw invalidParameter('Attributes Reason: Subscription already exists with different attributes');
        }
        return { arn: same.arn, created: false };
      }
      const arn = subscriptionArn(input.topicArn, randomUUID());
      const generatedSecret = input.signingSecret === undefined && input.generateSigningSecret ? randomBytes(32).toString('base64url') : undefined;
      const signingSecret = input.signingSecret ?? generatedSecret;
      await trx
        .insertInto('notification_subscriptions')
        .values({
          arn,
          topic_arn: input.topicArn,
          protocol: input.protocol,
          endpoint_sealed: secrets.encrypt(input.endpoint, subscriptionSecretContext(arn, 'endpoint')),
          endpoint_display: displayEndpoint(input.protocol, input.endpoint),
          signing_secret_sealed: signingSecret ? secrets.encrypt(signingSecret, subscriptionSecretContext(arn, 'signing-secret')) : null,
          attributes: canonicalJson(input.attributes),
          created_at: this.now(),
        })
        .execute();
      return { arn, created: true, ...(generatedSecret ? { generatedSecret } : {}) };
    });
  }

  async getSubscription(arn: string): Promise<SubscriptionRecord | undefined> {
    const row = await this.subscriptionRows().where('arn', '=', arn).executeTakeFirst();
    return row && subscriptionRecord(row);
  }

  /** Subscriptions ordered by ARN, of one topic or all, after `afterArn`. */
  async listSubscriptions(filter: { topicArn?: string; afterArn?: string; limit: number }): Promise<SubscriptionRecord[]> {
    let q = this.subscriptionRows().orderBy('arn').limit(filter.limit);
    if (filter.topicArn !== undefined) q = q.where('topic_arn', '=', filter.topicArn);
    if (filter.afterArn !== undefined) q = q.where('arn', '>', filter.afterArn);
    return (await q.execute()).map(subscriptionRecord);
  }

  /** Removes a subscription; its undelivered messages end as Failed. False when there was none. */
  async unsubscribe(arn: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const gone = await trx.deleteFrom('notification_subscriptions').where('arn', '=', arn).executeTakeFirst();
      if (Number(gone.numDeletedRows) === 0) return false;
      await this.failWaitingDeliveries(trx, 'subscription_arn', arn);
      return true;
    });
  }

  /** Deliveries newest first, filtered, before delivery id `beforeId`. */
  async listDeliveries(filter: {
    topicArn?: string;
    subscriptionArn?: string;
    messageId?: string;
    status?: DeliveryStatus;
    beforeId?: number;
    limit: number;
  }): Promise<DeliveryRecord[]> {
    let q = this.db.selectFrom('notification_deliveries').selectAll().orderBy('id', 'desc').limit(filter.limit);
    if (filter.topicArn !== undefined) q = q.where('topic_arn', '=', filter.topicArn);
    if (filter.subscriptionArn !== undefined) q = q.where('subscription_arn', '=', filter.subscriptionArn);
    if (filter.messageId !== undefined) q = q.where('message_id', '=', filter.messageId);
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    if (filter.beforeId !== undefined) q = q.where('id', '<', filter.beforeId);
    const rows = await q.execute();
    return rows.map((r) => ({
      id: Number(r.id),
      messageId: r.message_id,
      topicArn: r.topic_arn,
      subscriptionArn: r.subscription_arn,
      protocol: r.protocol,
      endpoint: r.endpoint_display,
      status: r.status,
      attempts: r.attempts,
      nextAttemptAt: nullableNumber(r.next_attempt_at),
      lastError: r.last_error,
      lastAttemptAt: nullableNumber(r.last_attempt_at),
      deliveredAt: nullableNumber(r.delivered_at),
      createdAt: Number(r.created_at),
    }));
  }

  private subscriptionRows() {
    return this.db
      .selectFrom('notification_subscriptions')
      .select(['arn', 'topic_arn', 'protocol', 'endpoint_display', 'attributes', 'signing_secret_sealed', 'created_at']);
  }

  private async failWaitingDeliveries(trx: Kysely<Database>, column: 'topic_arn' | 'subscription_arn', value: string): Promise<void> {
    await trx
      .updateTable('notification_deliveries')
      .set({ status: 'Failed', next_attempt_at: null, last_error: SUBSCRIPTION_GONE })
      .where(column, '=', value)
      .where('status', 'in', ['Pending', 'Retrying'])
      .execute();
  }
}

function subscriptionRecord(row: {
  arn: string;
  topic_arn: string;
  protocol: string;
  endpoint_display: string;
  attributes: string;
  signing_secret_sealed: string | null;
  created_at: number;
}): SubscriptionRecord {
  return {
    arn: row.arn,
    topicArn: row.topic_arn,
    protocol: row.protocol as Protocol,
    endpoint: row.endpoint_display,
    attributes: JSON.parse(row.attributes),
    hasSigningSecret: row.signing_secret_sealed !== null,
    createdAt: Number(row.created_at),
  };
}

/** JSON with sorted keys, so two attribute maps compare equal as text whatever order they were given in. */
function canonicalJson(map: Record<string, string>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

function tagMap(tags: Tag[]): Record<string, string> {
  return Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
}

function nullableNumber(value: number | null): number | null {
  return value === null ? null : Number(value);
}
