import { z } from 'zod';
import { defineGroupOperation, groupSelectorMembers, groupShape } from './group-operation.js';

/** GetGroup: the group's name, ARN and description (its query is GetGroupQuery's). */
export const getGroup = defineGroupOperation({
  name: 'GetGroup',
  mutating: false,
  input: z.object(groupSelectorMembers),
  async run(_input, name, store) {
    return { Group: groupShape(await store.get(name)) };
  },
});
