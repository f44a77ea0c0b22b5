import { z } from 'zod';
import type { IamUser } from '../iam.store.js';
import type { Tag } from '../../tags/tag-rules.js';

// Input constraints as IAM documents them, so a request IAM would refuse is refused here too.
const IAM_NAME = /^[\w+=,.@-]+$/;
const PRINTABLE_ASCII_PATH = /^(\/|\/[\x21-\x7E]+\/)$/;

export const userNameSchema = z.string().min(1).max(64).regex(IAM_NAME, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+');

export const policyNameSchema = z.string().min(1).max(128).regex(IAM_NAME, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+');

/** `/` or `/division/team/`: printable ASCII between a leading and a trailing slash. */
export const pathSchema = z
  .string()
  .min(1)
  .max(512)
  .regex(PRINTABLE_ASCII_PATH, 'Member must begin and end with / and contain only printable ASCII characters');

export const pathPrefixSchema = z
  .string()
  .min(1)
  .max(512)
  .regex(/^\/[\x21-\x7E]*$/, 'Member must begin with / and contain only printable ASCII characters');

export const accessKeyIdSchema = z.string().min(16).max(128).regex(/^\w+$/, 'Member must satisfy regular expression pattern: [\\w]+');

export const accessKeyStatusSchema = z.enum(['Active', 'Inactive']);

/** Upper bound of IAM's PolicyDocument member; the policy parser applies Tend's tighter limit with a precise error. */
export const policyDocumentSchema = z.string().min(1).max(131072);

/** IAM list paging members. */
export const pagingMembers = {
  Marker: z.string().min(1).max(320).optional(),
  MaxItems: z.number().int().min(1).max(1000).optional(),
};

/** IAM answers timestamps as epoch seconds on this protocol; stores keep milliseconds. */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}

/** IAM's `User` structure. ListUsers leaves out tags, as IAM does; GetUser and CreateUser include them. */
export function userShape(user: IamUser, tags?: Tag[]) {
  return {
    Path: user.path,
    UserName: user.userName,
    UserId: user.userId,
    Arn: user.arn,
    CreateDate: epochSeconds(user.createdAt),
    ...(tags && tags.length > 0 ? { Tags: tags } : {}),
  };
}
