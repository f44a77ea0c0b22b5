import { z } from 'zod';
import { ServiceError } from '../../../rpc/errors.js';
import { defineOperation } from '../../../rpc/operation.js';
import { parseResourceQuery } from '../group-query.js';
import {
  descriptionSchema,
  groupShape,
  groupsStore,
  groupTagsSchema,
  newGroupNameSchema,
  resourceQuerySchema,
  tagsFromMap,
  tagsToMap,
} from './group-operation.js';

/** CreateGroup: a tag-query group of managed nodes, evaluated whenever it is read. */
export const createGroup = defineOperation({
  service: 'Tend',
  name: 'CreateGroup',
  action: 'resource-groups:CreateGroup',
  mutating: true,
  input: z.object({
    Name: newGroupNameSchema,
    Description: descriptionSchema.optional(),
    ResourceQuery: resourceQuerySchema.optional(),
    Tags: groupTagsSchema.optional(),
    // Declared only to be refused: dropping it silently would create a different group than asked for.
    Configuration: z.unknown().optional(),
  }),
  resources: (input, ctx) => [groupsStore(ctx).arn(input.Name)],
  async run(input, ctx) {
    if (input.Configuration !== undefined) {
      throw new ServiceError('BadRequestException', 'Service configurations are not supported by Tend; define the group with a ResourceQuery');
    }
    if (!input.ResourceQuery) throw new ServiceError('BadRequestException', 'ResourceQuery is required: Tend groups are defined by a tag query');
    parseResourceQuery(input.ResourceQuery);
    const tags = tagsFromMap(input.Tags);
    const group = await groupsStore(ctx).create({ name: input.Name, description: input.Description, resourceQuery: input.ResourceQuery, tags });
    return {
      Group: groupShape(group),
      ResourceQuery: group.resourceQuery,
      ...(tags.length ? { Tags: tagsToMap(tags) } : {}),
    };
  },
});
