import type { TagResourceResolver } from '../tags/tag-resource-types.js';
import { MAX_TAGS_PER_RESOURCE } from '../tags/tag-rules.js';
import { opsItemArn } from './ops-item-rules.js';

/** Tagging of OpsItems (ResourceType OpsItem, ResourceId the `oi-…` id): the tags CreateOpsItem was given, and later ones. */
export const opsItemTagResolver: TagResourceResolver = {
  key: (resourceId) => resourceId,
  arn: (key, scope) => opsItemArn(scope, key),
  async exists(db, key, { dialect, lock }) {
    let q = db.selectFrom('ops_items').select('ops_item_id').where('ops_item_id', '=', key);
    if (lock && dialect === 'postgres') q = q.forUpdate();
    return (await q.executeTakeFirst()) !== undefined;
  },
  maxTags: MAX_TAGS_PER_RESOURCE,
};
