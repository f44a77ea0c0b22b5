import type { ExpressionBuilder, Kysely, SelectQueryBuilder } from 'kysely';
import type { Database } from '../../storage/schema.js';
import type { ArnScope } from '../tags/tag-resource-types.js';
import type { TagFilter } from './group-query.js';

/** `resource_tags.resource_type` under which managed nodes' tags are kept. */
export const MANAGED_NODE_TAG_RESOURCE = 'ManagedInstance';

/** A managed node's ARN, as Systems Manager spells it for hybrid nodes. */
export function managedInstanceArn(scope: ArnScope, instanceId: string): string {
  return `arn:aws:ssm:${scope.region}:${scope.accountId}:managed-instance/${instanceId}`;
}

type NodesQuery = SelectQueryBuilder<Database, 'managed_nodes', { instance_id: string }>;
type NodeExpressions = ExpressionBuilder<Database, 'managed_nodes'>;

/**
 * Ids of the managed nodes that can be acted on, in id order. Deregistered
 * (Inactive) nodes are left out: they can never connect again, so they are
 * no one's target and no group's member.
 */
export function activeNodes(db: Kysely<Database>): NodesQuery {
  return db.selectFrom('managed_nodes').select('managed_nodes.instance_id').where('managed_nodes.ping_status', '!=', 'Inactive').orderBy('managed_nodes.instance_id');
}

/**
 * The condition "the node carries tag `key`" (with one of `values`, when
 * any are given), as a correlated EXISTS: the database answers it from the
 * resource_tags primary key, one index probe per node, so a whole fleet is
 * filtered in one statement.
 */
export function nodeHasTag(eb: NodeExpressions, key: string, values: string[]) {
  let tags = eb
    .selectFrom('resource_tags')
    .select('resource_tags.tag_key')
    .where('resource_tags.resource_type', '=', MANAGED_NODE_TAG_RESOURCE)
    .whereRef('resource_tags.resource_id', '=', 'managed_nodes.instance_id')
    .where('resource_tags.tag_key', '=', key);
  if (values.length) tags = tags.where('resource_tags.tag_value', 'in', values);
  return eb.exists(tags);
}

/** The condition "the node carries one of these tag keys", for Systems Manager's `tag-key` target. */
export function nodeHasAnyTagKey(eb: NodeExpressions, keys: string[]) {
  return eb.exists(
    eb
      .selectFrom('resource_tags')
      .select('resource_tags.tag_key')
      .where('resource_tags.resource_type', '=', MANAGED_NODE_TAG_RESOURCE)
      .whereRef('resource_tags.resource_id', '=', 'managed_nodes.instance_id')
      .where('resource_tags.tag_key', 'in', keys),
  );
}

/** Narrows a node query to the nodes every tag filter matches (AND across filters, OR within one). */
export function whereTagFilters(query: NodesQuery, filters: TagFilter[]): NodesQuery {
  return filters.reduce((q, f) => q.where((eb) => nodeHasTag(eb, f.key, f.values)), query);
}
