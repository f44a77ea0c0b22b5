import type { Operation } from '../../../rpc/operation.js';
import { createAccessKey } from './create-access-key.js';
import { createUser } from './create-user.js';
import { deleteAccessKey } from './delete-access-key.js';
import { deleteUser } from './delete-user.js';
import { deleteUserPolicy } from './delete-user-policy.js';
import { getUser } from './get-user.js';
import { getUserPolicy } from './get-user-policy.js';
import { listAccessKeys } from './list-access-keys.js';
import { listUserPolicies } from './list-user-policies.js';
import { listUsers } from './list-users.js';
import { putUserPolicy } from './put-user-policy.js';
import { updateAccessKey } from './update-access-key.js';

/** Tend's IAM-shaped API (`Tend.<Name>`, action `iam:<Name>`): users, access keys, inline policies. */
export const iamOperations: Operation[] = [
  createUser,
  getUser,
  listUsers,
  deleteUser,
  createAccessKey,
  listAccessKeys,
  updateAccessKey,
  deleteAccessKey,
  putUserPolicy,
  getUserPolicy,
  listUserPolicies,
  deleteUserPolicy,
];
