import { z } from 'zod';
import { ServiceError } from '../../../rpc/errors.js';
import { ALL_SUPPORTED_TYPES, MANAGED_INSTANCE_TYPE, type TagQuery } from '../group-query.js';
import { managedInstanceArn } from '../node-membership.js';
import { arnScope, DEFAULT_MAX_RESULTS, defineGroupOperation, groupSelectorMembers, pagingMembers } from './group-operation.js';
import { decodeNameToken, encodeNameToken } from './group-paging.js';

const resourceTypeSchema = z.string().min(1).max(128).regex(/^AWS::[a-zA-Z0-9]+::[a-zA-Z0-9]+$/, 'Member must satisfy regular expression pattern: AWS::[a-zA-Z0-9]+::[a-zA-Z0-9]+');

/**
 * ListGroupResources: the group's members, found by running its query
 * against the nodes and tags as they are at this moment, in node id order.
 */
export const listGroupResources = defineGroupOperation({
  name: 'ListGroupResources',
  mutating: false,
  input: z.object({
    ...groupSelectorMembers,
    Filters: z.array(z.object({ Name: z.literal('resource-type'), Values: z.array(resourceTypeSchema).min(1).max(5) })).optional(),
    ...pagingMembers,
  }),
  async run(input, name, store, ctx) {
    const query = await store.getQuery(name);
    const limit = input.MaxResults ?? DEFAULT_MAX_RESULTS;
    const after = decodeNameToken(input.NextToken);
    const wanted = (input.Filters ?? []).every((f) => admitsManagedNodes(query, f.Values));
    // One id more than asked tells whether another page exists, so the last page carries no NextToken.
    const ids = wanted ? await store.members(query, { after, limit: limit + 1 }) : [];
    const page = ids.slice(0, limit);
    const identifiers = page.map((id) => ({ ResourceArn: managedInstanceArn(arnScope(ctx), id), ResourceType: MANAGED_INSTANCE_TYPE }));
    return {
      Resources: identifiers.map((Identifier) => ({ Identifier })),
      ResourceIdentifiers: identifiers,
      ...(ids.length > limit ? { NextToken: encodeNameToken(page[page.length - 1]!) } : {}),
    };
  },
});

/**
 * Whether a resource-type filter lets managed nodes through. As in Resource
 * Groups, a filter type outside the group's own ResourceTypeFilters is an
 * error (no such check for AWS::AllSupported groups, which may hold any type).
 */
function admitsManagedNodes(query: TagQuery, types: string[]): boolean {
  if (!query.resourceTypeFilters.includes(ALL_SUPPORTED_TYPES)) {
    const outside = types.filter((t) => !query.resourceTypeFilters.includes(t));
    if (outside.length) {
      throw new ServiceError('BadRequestException', `The resource types specified as filters in the request are not valid: ${outside.join(', ')}`);
    }
  }
  return types.includes(MANAGED_INSTANCE_TYPE);
}
