import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import type { Dialect } from '../../storage/database.js';
import { ServiceError } from '../../rpc/errors.js';
import type { Tag } from './tag-rules.js';
import type { ArnScope, TagResourceResolver } from './tag-resource-types.js';

/** Outbox event type written whenever a resource's tags change (unless its resolver names another). */
export const TAGS_CHANGE_EVENT = 'resource.tags.change';

/** Payload of a `resource.tags.change` event. */
export interface TagsChangeEvent {
  resourceType: string;
  resourceId: string;
  resourceArn: string;
  /** Tags added or given a new value. */
  set: Tag[];
  /** Keys that were removed. */
  removed: string[];
  /** Every tag the resource carries after the change. */
  tags: Tag[];
}

/** One resource's tags ordered by key (the row primary key), from a database or an open transaction. */
export async function readResourceTags(db: Kysely<Database>, resourceType: string, resourceId: string): Promise<Tag[]> {
  const rows = await db
    .selectFrom('resource_tags')
    .select(['tag_key', 'tag_value'])
    .where('resource_type', '=', resourceType)
    .where('resource_id', '=', resourceId)
    .orderBy('tag_key')
    .execute();
  return rows.map((r) => ({ Key: r.tag_key, Value: r.tag_value }));
}

/** Adds tags or overwrites their values. */
export async function upsertResourceTags(db: Kysely<Database>, resourceType: string, resourceId: string, tags: Tag[]): Promise<void> {
  if (tags.length === 0) return;
  await db
    .insertInto('resource_tags')
    .values(tags.map((t) => ({ resource_type: resourceType, resource_id: resourceId, tag_key: t.Key, tag_value: t.Value })))
    .onConflict((oc) =>
      oc.columns(['resource_type', 'resource_id', 'tag_key']).doUpdateSet((eb) => ({ tag_value: eb.ref('excluded.tag_value') })),
    )
    .execute();
}

/** Removes the given keys, or every tag of the resource when `keys` is omitted (the resource is being deleted). */
export async function deleteResourceTags(db: Kysely<Database>, resourceType: string, resourceId: string, keys?: string[]): Promise<void> {
  if (keys?.length === 0) return;
  let q = db.deleteFrom('resource_tags').where('resource_type', '=', resourceType).where('resource_id', '=', resourceId);
  if (keys) q = q.where('tag_key', 'in', keys);
  await q.execute();
}

export interface TagsStoreOptions {
  db: Kysely<Database>;
  dialect: Dialect;
  scope: ArnScope;
  now?: () => number;
}

/** A resource the tagging operations act on, resolved from the caller's ResourceType and ResourceId. */
export interface TagTarget {
  resourceType: string;
  /** The id as the caller gave it, for messages. */
  resourceId: string;
  resolver: TagResourceResolver;
  /** The stored resource id (e.g. a parameter's name key). */
  key: string;
}

/**
 * Tag changes for Systems Manager's tagging API: each change checks that
 * the resource exists, enforces the per-resource limit and writes its
 * outbox event in one transaction, so nothing is half-applied.
 */
export class TagsStore {
  private readonly now: () => number;

  constructor(private readonly options: TagsStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  async list(target: TagTarget): Promise<Tag[]> {
    await this.requireExists(this.options.db, target, false);
    return readResourceTags(this.options.db, target.resourceType, target.key);
  }

  /** Adds or overwrites tags; refuses with TooManyTagsError, writing nothing, when the total would pass the limit. */
  async add(target: TagTarget, tags: Tag[]): Promise<void> {
    await this.change(target, (current) => {
      const after = new Map(current);
      for (const t of tags) after.set(t.Key, t.Value);
      if (after.size > target.resolver.maxTags) {
        throw new ServiceError(
          'TooManyTagsError',
          `${target.resourceType} ${target.resourceId} would carry ${after.size} tags; a resource can have at most ${target.resolver.maxTags}`,
        );
      }
      return { set: tags.filter((t) => current.get(t.Key) !== t.Value), removed: [] };
    });
  }

  /** Removes tags by key; keys the resource does not carry are ignored, as Systems Manager does. */
  async remove(target: TagTarget, keys: string[]): Promise<void> {
    await this.change(target, (current) => ({ set: [], removed: [...new Set(keys)].filter((k) => current.has(k)) }));
  }

  private async change(target: TagTarget, plan: (current: Map<string, string>) => { set: Tag[]; removed: string[] }): Promise<void> {
    await this.options.db.transaction().execute(async (trx) => {
      await this.requireExists(trx, target, true);
      const before = await readResourceTags(trx, target.resourceType, target.key);
      const { set, removed } = plan(new Map(before.map((t) => [t.Key, t.Value])));
      // A call that changes nothing is not an event anyone needs to hear about.
      if (set.length === 0 && removed.length === 0) return;
      await upsertResourceTags(trx, target.resourceType, target.key, set);
      await deleteResourceTags(trx, target.resourceType, target.key, removed);
      const event: TagsChangeEvent = {
        resourceType: target.resourceType,
        resourceId: target.key,
        resourceArn: target.resolver.arn(target.key, this.options.scope),
        set,
        removed,
        tags: await readResourceTags(trx, target.resourceType, target.key),
      };
      await trx
        .insertInto('outbox_events')
        .values({ event_type: target.resolver.changeEvent ?? TAGS_CHANGE_EVENT, occurred_at: this.now(), payload: JSON.stringify(event) })
        .execute();
    });
  }

  private async requireExists(db: Kysely<Database>, target: TagTarget, lock: boolean): Promise<void> {
    if (!(await target.resolver.exists(db, target.key, { dialect: this.options.dialect, lock }))) {
      throw new ServiceError('InvalidResourceId', `The resource ID is not valid: no ${target.resourceType} named ${target.resourceId} exists`);
    }
  }
}
