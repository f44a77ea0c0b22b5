import type { TagResourceResolver } from '../tags/tag-resource-types.js';
import { MAX_TAGS_PER_RESOURCE } from '../tags/tag-rules.js';
import { windowArn } from './maintenance-window-rules.js';

/** Tagging of maintenance windows (ResourceType MaintenanceWindow, ResourceId the window id). */
export const maintenanceWindowTagResolver: TagResourceResolver = {
  key: (resourceId) => resourceId,
  arn: (key, scope) => windowArn(scope, key),
  async exists(db, key, { dialect, lock }) {
    let q = db.selectFrom('maintenance_windows').select('window_id').where('window_id', '=', key);
    if (lock && dialect === 'postgres') q = q.forUpdate();
    return (await q.executeTakeFirst()) !== undefined;
  },
  maxTags: MAX_TAGS_PER_RESOURCE,
};
