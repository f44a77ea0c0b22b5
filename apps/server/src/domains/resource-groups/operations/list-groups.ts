import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { parseResourceQuery } from '../group-query.js';
import type { ResourceGroupRecord } from '../resource-groups.store.js';
import { DEFAULT_MAX_RESULTS, groupShape, groupsStore, pagingMembers } from './group-operation.js';
import { decodeNameToken, encodeNameToken } from './group-paging.js';

const FILTER_NAMES = ['resource-type', 'configuration-type', 'owner', 'display-name', 'criticality'] as const;
type FilterName = (typeof FILTER_NAMES)[number];

/**
 * ListGroups: groups in name order, paged. Filters are ANDed, the values of
 * one filter ORed. `resource-type` keeps groups whose ResourceTypeFilters
 * name one of the values; the other filter names describe service
 * configurations and application groups, which Tend groups never have, so
 * they match nothing.
 */
export const listGroups = defineOperation({
  service: 'Tend',
  name: 'ListGroups',
  action: 'resource-groups:ListGroups',
  mutating: false,
  input: z.object({
    Filters: z.array(z.object({ Name: z.enum(FILTER_NAMES), Values: z.array(z.string().min(1).max(300)).min(1).max(5) })).optional(),
    ...pagingMembers,
  }),
  resources: () => [],
  async run(input, ctx) {
    const filters = input.Filters ?? [];
    const { groups, more } = await groupsStore(ctx).list({
      after: decodeNameToken(input.NextToken),
      limit: input.MaxResults ?? DEFAULT_MAX_RESULTS,
      keep: filters.length ? (group) => filters.every((f) => matchesFilter(group, f.Name, f.Values)) : undefined,
    });
    return {
      GroupIdentifiers: groups.map((g) => ({ GroupName: g.name, GroupArn: g.arn, ...(g.description !== null ? { Description: g.description } : {}) })),
      Groups: groups.map(groupShape),
      ...(more ? { NextToken: encodeNameToken(groups[groups.length - 1]!.name) } : {}),
    };
  },
});

function matchesFilter(group: ResourceGroupRecord, name: FilterName, values: string[]): boolean {
  if (name !== 'resource-type') return false;
  const types = parseResourceQuery(group.resourceQuery).resourceTypeFilters;
  return values.some((v) => types.includes(v));
}
