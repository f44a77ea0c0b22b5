import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { tagListSchema } from '../tag-rules.js';
import { tagResourceMembers, tagTarget, tagTargetArns, tagsStore } from './tag-target.js';

/** AddTagsToResource: adds tags or overwrites their values. */
export const addTagsToResource = defineOperation({
  service: 'AmazonSSM',
  name: 'AddTagsToResource',
  action: 'ssm:AddTagsToResource',
  mutating: true,
  // The request may list up to 1000 tags (the API's bound); the per-resource limit is checked against the merged set.
  input: z.object({ ...tagResourceMembers, Tags: tagListSchema(1000) }),
  resources: tagTargetArns,
  async run(input, ctx) {
    await tagsStore(ctx).add(tagTarget(input), input.Tags);
    return {};
  },
});
