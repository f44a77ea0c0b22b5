import { z } from 'zod';
import { defineGroupOperation, groupQueryShape, groupSelectorMembers } from './group-operation.js';

/** GetGroupQuery: the group's ResourceQuery, exactly as it was given. */
export const getGroupQuery = defineGroupOperation({
  name: 'GetGroupQuery',
  mutating: false,
  input: z.object(groupSelectorMembers),
  async run(_input, name, store) {
    return { GroupQuery: groupQueryShape(await store.get(name)) };
  },
});
