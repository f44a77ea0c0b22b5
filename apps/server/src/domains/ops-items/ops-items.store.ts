import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../storage/schema.js';
import type { Dialect } from '../../storage/database.js';
import { ServiceError } from '../../rpc/errors.js';
import type { Tag } from '../tags/tag-rules.js';
import { upsertResourceTags } from '../tags/tags.store.js';
import type { ArnScope } from '../tags/tag-resource-types.js';
import { topicNameOf } from '../notifications/notification-arns.js';
import { recordOpsItemChange } from './ops-item-notifications.js';
import {
  FINISHED_STATUSES,
  OPS_ITEM_TAG_RESOURCE,
  dedupStringOf,
  invalidOpsItemParameter,
  newOpsItemId,
  opsItemAlreadyExists,
  opsItemNotFound,
  type OperationalData,
} from './ops-item-rules.js';

type Db = Kysely<Database>;
type OpsItemRow = Selectable<Database['ops_items']>;

/** What a caller sets on an OpsItem (CreateOpsItem, and UpdateOpsItem applied to the current item). */
export interface OpsItemFields {
  title: string;
  description: string;
  source: string;
  opsItemType: string;
  status: string;
  priority?: number;
  severity?: string;
  category?: string;
  operationalData: OperationalData;
  notifications: { Arn: string }[];
  relatedOpsItems: { OpsItemId: string }[];
  /** Epoch milliseconds. */
  plannedStartTime?: number;
  plannedEndTime?: number;
  actualStartTime?: number;
  actualEndTime?: number;
}

export interface OpsItemRecord extends OpsItemFields {
  opsItemId: string;
  version: number;
  createdBy: string;
  lastModifiedBy: string;
  createdAt: number;
  modifiedAt: number;
}

const orUndefined = <T>(v: T | null): T | undefined => (v === null ? undefined : v);
const numberOrUndefined = (v: number | string | null): number | undefined => (v === null ? undefined : Number(v));

function recordOf(row: OpsItemRow): OpsItemRecord {
  return {
    opsItemId: row.ops_item_id,
    title: row.title,
    description: row.description,
    source: row.source,
    opsItemType: row.ops_item_type,
    status: row.status,
    priority: numberOrUndefined(row.priority),
    severity: orUndefined(row.severity),
    category: orUndefined(row.category),
    operationalData: JSON.parse(row.operational_data) as OperationalData,
    notifications: JSON.parse(row.notifications) as { Arn: string }[],
    relatedOpsItems: JSON.parse(row.related_ops_items) as { OpsItemId: string }[],
    plannedStartTime: numberOrUndefined(row.planned_start_time),
    plannedEndTime: numberOrUndefined(row.planned_end_time),
    actualStartTime: numberOrUndefined(row.actual_start_time),
    actualEndTime: numberOrUndefined(row.actual_end_time),
    version: Number(row.version),
    createdBy: row.created_by,
    lastModifiedBy: row.last_modified_by,
    createdAt: Number(row.created_at),
    modifiedAt: Number(row.modified_at),
  };
}

/** The dedup string is held only while the item is open, so a finished item stops deduplicating. */
function dedupKeyOf(f: OpsItemFields): string | null {
  return FINISHED_STATUSES.has(f.status) ? null : (dedupStringOf(f.operationalData) ?? null);
}

function columnsOf(f: OpsItemFields) {
  return {
    title: f.title,
    description: f.description,
    source: f.source,
    ops_item_type: f.opsItemType,
    status: f.status,
    priority: f.priority ?? null,
    severity: f.severity ?? null,
    category: f.category ?? null,
    operational_data: JSON.stringify(f.operationalData),
    notifications: JSON.stringify(f.notifications),
    related_ops_items: JSON.stringify(f.relatedOpsItems),
    planned_start_time: f.plannedStartTime ?? null,
    planned_end_time: f.plannedEndTime ?? null,
    actual_start_time: f.actualStartTime ?? null,
    actual_end_time: f.actualEndTime ?? null,
    dedup_key: dedupKeyOf(f),
  };
}

/** A unique index refused the row: on SQLite and on PostgreSQL. */
function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export interface OpsItemsStoreOptions {
  db: Db;
  dialect: Dialect;
  /** Where topic ARNs must point: the server's region and account. */
  scope: ArnScope;
  now?: () => number;
}

/**
 * OpsItems. Every write runs in one transaction with the `opsitem.changed`
 * event and the notifications it causes, so a ticket and its messages exist
 * together or not at all. One open item per `/aws/dedup` string is kept by
 * a check that names the existing item and, for two replicas creating at
 * the same moment, by the unique index on `dedup_key`.
 */
export class OpsItemsStore {
  private readonly db: Db;
  private readonly now: () => number;

  constructor(private readonly options: OpsItemsStoreOptions) {
    this.db = options.db;
    this.now = options.now ?? Date.now;
  }

  /** Creates an item, its tags, its event and its notifications; OpsItemAlreadyExistsException when an open item has its dedup string. */
  async create(request: { opsItemId?: string; fields: OpsItemFields; tags: Tag[]; caller: string }): Promise<OpsItemRecord> {
    const at = this.now();
    const opsItemId = request.opsItemId ?? newOpsItemId();
    return this.withDedupRace(() => request.fields, () =>
      this.db.transaction().execute(async (trx) => {
        await this.checkReferences(trx, request.fields, opsItemId, []);
        await this.refuseDuplicate(trx, request.fields, opsItemId);
        await trx
          .insertInto('ops_items')
          .values({
            ops_item_id: opsItemId,
            ...columnsOf(request.fields),
            version: 1,
            created_by: request.caller,
            last_modified_by: request.caller,
            created_at: at,
            modified_at: at,
          })
          .execute();
        await upsertResourceTags(trx, OPS_ITEM_TAG_RESOURCE, opsItemId, request.tags);
        const item = await this.mustFind(trx, opsItemId);
        await recordOpsItemChange(trx, item, undefined, at);
        return item;
      }),
    );
  }

  async get(opsItemId: string): Promise<OpsItemRecord> {
    return this.mustFind(this.db, opsItemId);
  }

  /**
   * Rewrites an item with what `build` makes of the current one, under the
   * row's lock, bumping its version; a status change is announced. Reopening
   * an item, or giving it a dedup string, is refused while another open item
   * holds that string.
   */
  async update(opsItemId: string, caller: string, build: (current: OpsItemRecord) => OpsItemFields): Promise<OpsItemRecord> {
    const at = this.now();
    let next: OpsItemFields | undefined;
    return this.withDedupRace(
      () => next,
      () =>
        this.db.transaction().execute(async (trx) => {
          const current = await this.mustFind(trx, opsItemId, true);
          next = build(current);
          await this.checkReferences(trx, next, opsItemId, current.notifications);
          await this.refuseDuplicate(trx, next, opsItemId);
          await trx
            .updateTable('ops_items')
            .set({ ...columnsOf(next), version: current.version + 1, last_modified_by: caller, modified_at: at })
            .where('ops_item_id', '=', opsItemId)
            .execute();
          const item = await this.mustFind(trx, opsItemId);
          await recordOpsItemChange(trx, item, current.status, at);
          return item;
        }),
    );
  }

  /** Every item, newest first (DescribeOpsItems filters and pages them). */
  async list(): Promise<OpsItemRecord[]> {
    const rows = await this.db.selectFrom('ops_items').selectAll().orderBy('created_at', 'desc').orderBy('ops_item_id', 'desc').execute();
    return rows.map(recordOf);
  }

  private async mustFind(db: Db, opsItemId: string, lock = false): Promise<OpsItemRecord> {
    let q = db.selectFrom('ops_items').selectAll().where('ops_item_id', '=', opsItemId);
    if (lock && this.options.dialect === 'postgres') q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row) throw opsItemNotFound(opsItemId);
    return recordOf(row);
  }

  private async refuseDuplicate(db: Db, fields: OpsItemFields, opsItemId: string): Promise<void> {
    const dedupKey = dedupKeyOf(fields);
    if (dedupKey === null) return;
    const holder = await db.selectFrom('ops_items').select('ops_item_id').where('dedup_key', '=', dedupKey).where('ops_item_id', '!=', opsItemId).executeTakeFirst();
    if (holder) throw opsItemAlreadyExists(holder.ops_item_id, dedupKey);
  }

  /**
   * The check in refuseDuplicate cannot see a row another transaction has
   * not committed; the unique index can. Its refusal is turned into the
   * same answer, naming the item that won.
   */
  private async withDedupRace<T>(attemptedFields: () => OpsItemFields | undefined, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      const attempted = attemptedFields();
      const dedupKey = attempted && isUniqueViolation(err) ? dedupKeyOf(attempted) : null;
      if (dedupKey === null) throw err;
      const holder = await this.db.selectFrom('ops_items').select('ops_item_id').where('dedup_key', '=', dedupKey).executeTakeFirst();
      if (!holder) throw err;
      throw opsItemAlreadyExists(holder.ops_item_id, dedupKey);
    }
  }

  /**
   * Notification topics must be this account's and exist; related items
   * must exist (and not be the item itself). Topics the item already had
   * are not checked again: one deleted since must not block every later
   * edit of the ticket (its messages are skipped instead).
   */
  private async checkReferences(db: Db, fields: OpsItemFields, opsItemId: string, knownTopics: { Arn: string }[]): Promise<void> {
    const known = new Set(knownTopics.map((n) => n.Arn));
    for (const { Arn } of fields.notifications.filter((n) => !known.has(n.Arn))) {
      try {
        topicNameOf(Arn, this.options.scope);
      } catch (err) {
        if (err instanceof ServiceError) throw invalidOpsItemParameter(['Notifications'], `${Arn} is not an SNS topic ARN of this account and region (arn:aws:sns:${this.options.scope.region}:${this.options.scope.accountId}:<topic>).`);
        throw err;
      }
      const topic = await db.selectFrom('notification_topics').select('arn').where('arn', '=', Arn).executeTakeFirst();
      if (!topic) throw invalidOpsItemParameter(['Notifications'], `Topic ${Arn} does not exist.`);
    }
    const related = [...new Set(fields.relatedOpsItems.map((r) => r.OpsItemId))];
    if (related.includes(opsItemId)) throw invalidOpsItemParameter(['RelatedOpsItems'], 'An OpsItem cannot be related to itself.');
    if (related.length) {
      const found = new Set((await db.selectFrom('ops_items').select('ops_item_id').where('ops_item_id', 'in', related).execute()).map((r) => r.ops_item_id));
      const missing = related.filter((id) => !found.has(id));
      if (missing.length) throw invalidOpsItemParameter(['RelatedOpsItems'], `Related OpsItems do not exist: ${missing.join(', ')}.`);
    }
  }
}
