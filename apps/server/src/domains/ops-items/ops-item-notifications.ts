import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import { publishInTransaction } from '../notifications/publish.js';
import type { OpsItemRecord } from './ops-items.store.js';

/** Outbox event written whenever an OpsItem is created or changed (DESIGN.md, "Events, not callbacks"). */
export const OPS_ITEM_CHANGED_EVENT = 'opsitem.changed';

/** Payload of an `opsitem.changed` event. */
export interface OpsItemChangedEvent {
  opsItemId: string;
  change: 'created' | 'updated';
  status: string;
  /** The status before an update (the same as `status` when it did not change). */
  previousStatus?: string;
  version: number;
  /** Who made the change (caller ARN). */
  by: string;
}

/** The message published to an OpsItem's topics. */
export interface OpsItemNotification {
  eventType: 'opsitem.changed';
  summary: string;
  event: OpsItemChangedEvent;
  opsItem: { opsItemId: string; title: string; source: string; status: string; priority?: number; severity?: string; category?: string; opsItemType: string };
}

/**
 * Records a change of an OpsItem in the transaction that made it: always an
 * `opsitem.changed` event, and a message to each of the item's topics when
 * the item is new or its status moved (edits of other fields are not news
 * to the people watching). A topic deleted since it was named is skipped:
 * the ticket matters more than one lost message. An event is always
 * written, so callers signal the outbox after every commit.
 */
export async function recordOpsItemChange(trx: Kysely<Database>, item: OpsItemRecord, previousStatus: string | undefined, now: number): Promise<void> {
  const event: OpsItemChangedEvent = {
    opsItemId: item.opsItemId,
    change: previousStatus === undefined ? 'created' : 'updated',
    status: item.status,
    ...(previousStatus !== undefined ? { previousStatus } : {}),
    version: item.version,
    by: item.lastModifiedBy,
  };
  await trx.insertInto('outbox_events').values({ event_type: OPS_ITEM_CHANGED_EVENT, occurred_at: now, payload: JSON.stringify(event) }).execute();
  if (previousStatus === item.status) return;
  const what = previousStatus === undefined ? `opened (${item.status})` : `${previousStatus} → ${item.status}`;
  const message: OpsItemNotification = {
    eventType: OPS_ITEM_CHANGED_EVENT,
    summary: `OpsItem ${item.opsItemId} "${item.title}" from ${item.source} ${what}.`,
    event,
    opsItem: {
      opsItemId: item.opsItemId,
      title: item.title,
      source: item.source,
      status: item.status,
      ...(item.priority !== undefined ? { priority: item.priority } : {}),
      ...(item.severity !== undefined ? { severity: item.severity } : {}),
      ...(item.category !== undefined ? { category: item.category } : {}),
      opsItemType: item.opsItemType,
    },
  };
  // The subject stays printable ASCII (SNS's rule) whatever the title holds: the title is in the message.
  const subject = previousStatus === undefined ? `Tend OpsItem ${item.opsItemId} opened` : `Tend OpsItem ${item.opsItemId} is ${item.status}`;
  for (const { Arn } of item.notifications) {
    await publishInTransaction(trx, { topicArn: Arn, subject, message: JSON.stringify(message) }, { now, ifTopicMissing: 'skip' });
  }
}
