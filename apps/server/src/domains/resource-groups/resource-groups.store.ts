import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import { ServiceError } from '../../rpc/errors.js';
import type { Tag } from '../tags/tag-rules.js';
import { deleteResourceTags, readResourceTags, upsertResourceTags } from '../tags/tags.store.js';
import type { ArnScope } from '../tags/tag-resource-types.js';
import { parseResourceQuery, selectsManagedNodes, type ResourceQuery, type TagQuery } from './group-query.js';
import { activeNodes, whereTagFilters } from './node-membership.js';

/** `resource_tags.resource_type` of resource groups' own tags (not a Systems Manager tagging type). */
export const RESOURCE_GROUP_TAG_RESOURCE = 'ResourceGroup';

const GROUP_ARN = /^arn:aws:resource-groups:([^:]+):(\d{12}):group\/(.+)$/;

/** A group's ARN in this server's region and account. */
export function groupArn(scope: ArnScope, name: string): string {
  return `arn:aws:resource-groups:${scope.region}:${scope.accountId}:group/${name}`;
}

/**
 * The group name a `Group` member designates: a name as is, or the name in
 * an ARN. An ARN of another region or account names no group here.
 */
export function groupNameOf(identifier: string, scope: ArnScope): string {
  const arn = GROUP_ARN.exec(identifier);
  if (!arn) return identifier;
  if (arn[1] !== scope.region || arn[2] !== scope.accountId) throw groupNotFound(identifier);
  return arn[3]!;
}

function groupNotFound(identifier: string): ServiceError {
  return new ServiceError('NotFoundException', `Cannot find group ${identifier}.`);
}

export interface ResourceGroupRecord {
  name: string;
  arn: string;
  description: string | null;
  /** The ResourceQuery exactly as the caller gave it: Resource Groups answers it back unchanged. */
  resourceQuery: ResourceQuery;
  createdAt: number;
}

export interface ResourceGroupsStoreOptions {
  db: Kysely<Database>;
  scope: ArnScope;
  now?: () => number;
}

/** Rows fetched per round trip while filling a ListGroups page. */
const LIST_BATCH = 100;

/**
 * Tag-query resource groups. A group stores only its query: members are
 * found by running it against the current nodes and tags at each call, so
 * tagging, untagging or deregistering a node changes every group at once
 * and there is nothing to keep in sync.
 */
export class ResourceGroupsStore {
  private readonly db: Kysely<Database>;
  private readonly now: () => number;

  constructor(private readonly options: ResourceGroupsStoreOptions) {
    this.db = options.db;
    this.now = options.now ?? Date.now;
  }

  arn(name: string): string {
    return groupArn(this.options.scope, name);
  }

  /** Creates a group with its tags; BadRequestException when the name is taken. The query must already be checked. */
  async create(group: { name: string; description?: string; resourceQuery: ResourceQuery; tags: Tag[] }): Promise<ResourceGroupRecord> {
    const record: ResourceGroupRecord = {
      name: group.name,
      arn: this.arn(group.name),
      description: emptyToNull(group.description),
      resourceQuery: group.resourceQuery,
      createdAt: this.now(),
    };
    await this.db.transaction().execute(async (trx) => {
      // ON CONFLICT rather than look-then-insert: two concurrent creations of one name cannot both pass.
      const inserted = await trx
        .insertInto('resource_groups')
        .values({
          name: record.name,
          arn: record.arn,
          description: record.description,
          query_type: record.resourceQuery.Type,
          query: record.resourceQuery.Query,
          created_at: record.createdAt,
        })
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
        throw new ServiceError('BadRequestException', `Cannot create group: a group named ${group.name} already exists.`);
      }
      await upsertResourceTags(trx, RESOURCE_GROUP_TAG_RESOURCE, record.name, group.tags);
    });
    return record;
  }

  /** The group, or NotFoundException. */
  async get(name: string): Promise<ResourceGroupRecord> {
    const row = await this.db.selectFrom('resource_groups').selectAll().where('name', '=', name).executeTakeFirst();
    if (!row) throw groupNotFound(name);
    return toRecord(row);
  }

  /** The group's parsed query, or NotFoundException. */
  async getQuery(name: string): Promise<TagQuery> {
    const query = await this.findQuery(name);
    if (!query) throw groupNotFound(name);
    return query;
  }

  /** The group's parsed query, or undefined when there is no such group. */
  async findQuery(name: string): Promise<TagQuery | undefined> {
    const row = await this.db.selectFrom('resource_groups').select(['query_type', 'query']).where('name', '=', name).executeTakeFirst();
    return row ? parseResourceQuery({ Type: row.query_type, Query: row.query }) : undefined;
  }

  async tags(name: string): Promise<Tag[]> {
    return readResourceTags(this.db, RESOURCE_GROUP_TAG_RESOURCE, name);
  }

  /**
   * Groups in name order after `after`, keeping those `keep` accepts, until
   * `limit` are found. `more` tells whether another kept group may follow.
   * Filters read the stored query, so they are applied here rather than in
   * SQL; a page is still always full when more groups match.
   */
  async list(opts: { after?: string; limit: number; keep?: (group: ResourceGroupRecord) => boolean }): Promise<{ groups: ResourceGroupRecord[]; more: boolean }> {
    const groups: ResourceGroupRecord[] = [];
    let after = opts.after;
    for (;;) {
      let q = this.db.selectFrom('resource_groups').selectAll().orderBy('name').limit(LIST_BATCH);
      if (after !== undefined) q = q.where('name', '>', after);
      const rows = await q.execute();
      for (const row of rows) {
        const group = toRecord(row);
        if (opts.keep && !opts.keep(group)) continue;
        if (groups.length === opts.limit) return { groups, more: true };
        groups.push(group);
      }
      if (rows.length < LIST_BATCH) return { groups, more: false };
      after = rows[rows.length - 1]!.name;
    }
  }

  /** Replaces the description (an empty one removes it); NotFoundException when the group does not exist. */
  async updateDescription(name: string, description: string): Promise<ResourceGroupRecord> {
    const result = await this.db.updateTable('resource_groups').set({ description: emptyToNull(description) }).where('name', '=', name).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw groupNotFound(name);
    return this.get(name);
  }

  /** Replaces the query; the caller has checked it. NotFoundException when the group does not exist. */
  async updateQuery(name: string, resourceQuery: ResourceQuery): Promise<ResourceGroupRecord> {
    const result = await this.db
      .updateTable('resource_groups')
      .set({ query_type: resourceQuery.Type, query: resourceQuery.Query })
      .where('name', '=', name)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw groupNotFound(name);
    return this.get(name);
  }

  /** Deletes the group and its tags (never its members); answers what was deleted. */
  async delete(name: string): Promise<ResourceGroupRecord> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.deleteFrom('resource_groups').where('name', '=', name).returningAll().executeTakeFirst();
      if (!row) throw groupNotFound(name);
      await deleteResourceTags(trx, RESOURCE_GROUP_TAG_RESOURCE, name);
      return toRecord(row);
    });
  }

  /**
   * Ids of the active managed nodes the query selects, in id order, after
   * `after`, at most `limit`. Evaluated now, in one statement.
   */
  async members(query: TagQuery, opts: { after?: string; limit?: number } = {}): Promise<string[]> {
    if (!selectsManagedNodes(query)) return [];
    let q = whereTagFilters(activeNodes(this.db), query.tagFilters);
    if (opts.after !== undefined) q = q.where('managed_nodes.instance_id', '>', opts.after);
    if (opts.limit !== undefined) q = q.limit(opts.limit);
    return (await q.execute()).map((r) => r.instance_id);
  }
}

function emptyToNull(description: string | undefined): string | null {
  return description ? description : null;
}

function toRecord(row: Database['resource_groups']): ResourceGroupRecord {
  return {
    name: row.name,
    arn: row.arn,
    description: row.description,
    resourceQuery: { Type: row.query_type, Query: row.query },
    createdAt: row.created_at,
  };
}
