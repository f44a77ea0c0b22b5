import type { TagResourceResolver } from '../tags/tag-resource-types.js';
import { MAX_TAGS_PER_RESOURCE } from '../tags/tag-rules.js';
import { baselineArn, shortBaselineId } from './patch-baseline-rules.js';

/**
 * Tagging of patch baselines (ResourceType PatchBaseline, ResourceId the
 * baseline id or its ARN). Only the account's own baselines exist for the
 * tagging API: the predefined ones are read-only, tags included.
 */
export const patchBaselineTagResolver: TagResourceResolver = {
  key: (resourceId) => shortBaselineId(resourceId) ?? resourceId,
  arn: (key, scope) => baselineArn(scope, key),
  async exists(db, key, { dialect, lock }) {
    let q = db.selectFrom('patch_baselines').select('baseline_id').where('baseline_id', '=', key);
    if (lock && dialect === 'postgres') q = q.forUpdate();
    return (await q.executeTakeFirst()) !== undefined;
  },
  maxTags: MAX_TAGS_PER_RESOURCE,
};
