import { z } from 'zod';
import { defineGroupOperation, descriptionSchema, groupSelectorMembers, groupShape } from './group-operation.js';

/** UpdateGroup: changes the description (a group's name never changes); without Description nothing changes. */
export const updateGroup = defineGroupOperation({
  name: 'UpdateGroup',
  mutating: true,
  input: z.object({ ...groupSelectorMembers, Description: descriptionSchema.optional() }),
  async run(input, name, store) {
    const group = input.Description === undefined ? await store.get(name) : await store.updateDescription(name, input.Description);
    return { Group: groupShape(group) };
  },
});
