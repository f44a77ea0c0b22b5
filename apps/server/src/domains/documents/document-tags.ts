import type { TagResourceResolver } from '../tags/tag-resource-types.js';
import { MAX_TAGS_PER_RESOURCE } from '../tags/tag-rules.js';
import { documentArn } from './document-rules.js';

/**
 * Tagging of documents (ResourceType Document, ResourceId the name). Only
 * the account's own documents exist for the tagging API: the built-ins are
 * read-only, tags included.
 */
export const documentTagResolver: TagResourceResolver = {
  key: (resourceId) => resourceId,
  arn: (key, scope) => documentArn(scope, key),
  async exists(db, key, { dialect, lock }) {
    let q = db.selectFrom('documents').select('name').where('name', '=', key);
    if (lock && dialect === 'postgres') q = q.forUpdate();
    return (await q.executeTakeFirst()) !== undefined;
  },
  maxTags: MAX_TAGS_PER_RESOURCE,
};
