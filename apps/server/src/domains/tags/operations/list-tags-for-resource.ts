import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { tagResourceMembers, tagTarget, tagTargetArns, tagsStore } from './tag-target.js';

/** ListTagsForResource: every tag of one resource, ordered by key. */
export const listTagsForResource = defineOperation({
  service: 'AmazonSSM',
  name: 'ListTagsForResource',
  action: 'ssm:ListTagsForResource',
  mutating: false,
  input: z.object(tagResourceMembers),
  resources: tagTargetArns,
  async run(input, ctx) {
    return { TagList: await tagsStore(ctx).list(tagTarget(input)) };
  },
});
