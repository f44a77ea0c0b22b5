import type { Operation } from '../../../rpc/operation.js';
import { createGroup } from './create-group.js';
import { deleteGroup } from './delete-group.js';
import { getGroup } from './get-group.js';
import { getGroupQuery } from './get-group-query.js';
import { listGroupResources } from './list-group-resources.js';
import { listGroups } from './list-groups.js';
import { updateGroup } from './update-group.js';
import { updateGroupQuery } from './update-group-query.js';

/** Tend's Resource Groups-shaped API (`Tend.<Name>`, action `resource-groups:<Name>`): tag-query groups of managed nodes. */
export const resourceGroupOperations: Operation[] = [
  createGroup,
  getGroup,
  getGroupQuery,
  listGroups,
  listGroupResources,
  updateGroup,
  updateGroupQuery,
  deleteGroup,
];
