import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { MAX_TAGS_PER_RESOURCE, tagListSchema } from '../../tags/tag-rules.js';
import { pathSchema, userNameSchema, userShape } from './iam-schemas.js';

/** CreateUser: a new user without keys or policies (so it can do nothing yet). */
export const createUser = defineOperation({
  service: 'Tend',
  name: 'CreateUser',
  action: 'iam:CreateUser',
  mutating: true,
  input: z.object({
    UserName: userNameSchema,
    Path: pathSchema.optional(),
    Tags: tagListSchema(MAX_TAGS_PER_RESOURCE).optional(),
  }),
  resources: (input, ctx) => [ctx.services.iam.userArn(input.Path ?? '/', input.UserName)],
  async run(input, ctx) {
    const tags = input.Tags ?? [];
    const user = await ctx.services.iam.createUser(input.UserName, input.Path ?? '/', tags);
    return { User: userShape(user, tags) };
  },
});
