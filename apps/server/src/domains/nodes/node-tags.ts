import type { TagResourceResolver } from '../tags/tag-resource-types.js';
import { MAX_TAGS_PER_RESOURCE } from '../tags/tag-rules.js';
import { managedInstanceArn } from '../resource-groups/node-membership.js';
import { NODE_EVENTS } from './node-events.js';

/**
 * Tagging of managed nodes (ResourceType ManagedInstance, ResourceId mi-…).
 * A deregistered node no longer exists for the tagging API, as in Systems
 * Manager; its tags stay for the record.
 */
export const managedInstanceTagResolver: TagResourceResolver = {
  key: (resourceId) => resourceId,
  arn: (key, scope) => managedInstanceArn(scope, key),
  async exists(db, key, { dialect, lock }) {
    let q = db.selectFrom('managed_nodes').select('ping_status').where('instance_id', '=', key);
    if (lock && dialect === 'postgres') q = q.forUpdate();
    const row = await q.executeTakeFirst();
    return row !== undefined && row.ping_status !== 'Inactive';
  },
  maxTags: MAX_TAGS_PER_RESOURCE,
  changeEvent: NODE_EVENTS.tags,
};
