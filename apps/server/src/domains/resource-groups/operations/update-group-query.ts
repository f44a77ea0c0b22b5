import { z } from 'zod';
import { parseResourceQuery } from '../group-query.js';
import { defineGroupOperation, groupQueryShape, groupSelectorMembers, resourceQuerySchema } from './group-operation.js';

/** UpdateGroupQuery: replaces the query; the next read of the group's members already follows it. */
export const updateGroupQuery = defineGroupOperation({
  name: 'UpdateGroupQuery',
  mutating: true,
  input: z.object({ ...groupSelectorMembers, ResourceQuery: resourceQuerySchema }),
  async run(input, name, store) {
    parseResourceQuery(input.ResourceQuery);
    return { GroupQuery: groupQueryShape(await store.updateQuery(name, input.ResourceQuery)) };
  },
});
