import type { Operation } from '../../../rpc/operation.js';
import { addTagsToResource } from './add-tags-to-resource.js';
import { listTagsForResource } from './list-tags-for-resource.js';
import { removeTagsFromResource } from './remove-tags-from-resource.js';

/** Systems Manager's tagging operations. */
export const tagOperations: Operation[] = [addTagsToResource, listTagsForResource, removeTagsFromResource];
