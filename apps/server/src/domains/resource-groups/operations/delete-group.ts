import { z } from 'zod';
import { defineGroupOperation, groupSelectorMembers, groupShape } from './group-operation.js';

/** DeleteGroup: removes the group and its tags; its member nodes are untouched. */
export const deleteGroup = defineGroupOperation({
  name: 'DeleteGroup',
  mutating: true,
  input: z.object(groupSelectorMembers),
  async run(_input, name, store) {
    return { Group: groupShape(await store.delete(name)) };
  },
});
