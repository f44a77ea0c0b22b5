import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { tagKeySchema } from '../tag-rules.js';
import { tagResourceMembers, tagTarget, tagTargetArns, tagsStore } from './tag-target.js';

/** RemoveTagsFromResource: removes tags by key; absent keys are not an error. */
export const removeTagsFromResource = defineOperation({
  service: 'AmazonSSM',
  name: 'RemoveTagsFromResource',
  action: 'ssm:RemoveTagsFromResource',
  mutating: true,
  input: z.object({ ...tagResourceMembers, TagKeys: z.array(tagKeySchema).min(1).max(1000) }),
  resources: tagTargetArns,
  async run(input, ctx) {
    await tagsStore(ctx).remove(tagTarget(input), input.TagKeys);
    return {};
  },
});
