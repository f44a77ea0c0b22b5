import { z } from 'zod';
import { ServiceError } from '../../../rpc/errors.js';
import { defineOperation, type Operation, type OperationContext } from '../../../rpc/operation.js';
import { MAX_TAGS_PER_RESOURCE, tagKeySchema, tagValueSchema, type Tag } from '../../tags/tag-rules.js';
import type { ArnScope } from '../../tags/tag-resource-types.js';
import { groupNameOf, ResourceGroupsStore, type ResourceGroupRecord } from '../resource-groups.store.js';

// Input constraints as Resource Groups models them (resource-groups 2017-11-27).
const NAME_CHARS = '[a-zA-Z0-9_.-]';
const NAME = new RegExp(`^${NAME_CHARS}+$`);
const NAME_OR_ARN = new RegExp(`^(${NAME_CHARS}{1,300}|arn:aws(-[a-z]+)*:resource-groups:[a-z]{2}(-[a-z]+)+-\\d:\\d{12}:group/${NAME_CHARS}{1,300})$`);

/** The name of a new group: it can never change, and the `AWS` prefix in any case is reserved. */
export const newGroupNameSchema = z
  .string()
  .min(1)
  .max(300)
  .regex(NAME, `Member must satisfy regular expression pattern: ${NAME_CHARS}+`)
  .refine((name) => !/^aws/i.test(name), 'Group names must not start with the reserved prefix AWS (in any case)');

/** The deprecated `GroupName` member some operations still accept. */
const legacyGroupNameSchema = z.string().min(1).max(300).regex(NAME, `Member must satisfy regular expression pattern: ${NAME_CHARS}+`);

/** The `Group` member: a group's name or its ARN. */
const groupIdentifierSchema = z.string().min(1).max(1600).regex(NAME_OR_ARN, 'Member must be a group name or a resource group ARN');

export const descriptionSchema = z
  .string()
  .max(1024)
  .regex(/^[\sa-zA-Z0-9_.-]*$/, 'Member must satisfy regular expression pattern: [\\sa-zA-Z0-9_\\.-]*');

/** ResourceQuery; Type and Query are checked by parseResourceQuery, so a bad query is a BadRequestException with its reason. */
export const resourceQuerySchema = z.object({ Type: z.string().min(1).max(128), Query: z.string().max(4096) });

/** Resource Groups' Tags member: a map from key to value, with the tag rules Tend applies everywhere. */
export const groupTagsSchema = z
  .record(tagKeySchema, tagValueSchema)
  .refine((tags) => Object.keys(tags).length <= MAX_TAGS_PER_RESOURCE, `A group can have at most ${MAX_TAGS_PER_RESOURCE} tags`);

/** Paging members of Resource Groups' list operations. */
export const pagingMembers = {
  MaxResults: z.number().int().min(1).max(50).optional(),
  NextToken: z.string().max(8192).optional(),
};

/** Page size when MaxResults is not given. */
export const DEFAULT_MAX_RESULTS = 50;

/** How a request names the group it acts on: `Group` (name or ARN), or the deprecated `GroupName`. */
export const groupSelectorMembers = {
  GroupName: legacyGroupNameSchema.optional(),
  Group: groupIdentifierSchema.optional(),
};

interface GroupSelector {
  GroupName?: string;
  Group?: string;
}

export function arnScope(ctx: OperationContext): ArnScope {
  return { region: ctx.services.config.region, accountId: ctx.services.config.accountId };
}

/** The store, built per request on the shared database and bound to the request's clock. */
export function groupsStore(ctx: OperationContext): ResourceGroupsStore {
  return new ResourceGroupsStore({ db: ctx.services.db, scope: arnScope(ctx), now: () => ctx.now.getTime() });
}

/** The group name a request designates; BadRequestException when it names none, or two different ones. */
export function selectedGroupName(input: GroupSelector, ctx: OperationContext): string {
  const fromGroup = input.Group === undefined ? undefined : groupNameOf(input.Group, arnScope(ctx));
  if (fromGroup !== undefined && input.GroupName !== undefined && fromGroup !== input.GroupName) {
    throw new ServiceError('BadRequestException', 'Group and GroupName name different groups; give only Group');
  }
  const name = fromGroup ?? input.GroupName;
  if (name === undefined) throw new ServiceError('BadRequestException', 'The group is required: give its name or ARN in Group');
  return name;
}

/** Resource Groups' `Group` structure. */
export function groupShape(group: ResourceGroupRecord) {
  return { GroupArn: group.arn, Name: group.name, ...(group.description !== null ? { Description: group.description } : {}) };
}

/** Resource Groups' `GroupQuery` structure. */
export function groupQueryShape(group: ResourceGroupRecord) {
  return { GroupName: group.name, ResourceQuery: group.resourceQuery };
}

export function tagsFromMap(tags: Record<string, string> | undefined): Tag[] {
  return Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
}

export function tagsToMap(tags: Tag[]): Record<string, string> {
  return Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
}

/**
 * A Resource Groups-shaped operation on one existing group: service Tend,
 * action `resource-groups:<Name>` on the group's ARN (computed from the
 * request, so a caller without the permission learns nothing about whether
 * the group exists). Each operation file keeps only what is its own.
 */
export function defineGroupOperation<Schema extends z.ZodType<GroupSelector, z.ZodTypeDef, unknown>, Output>(spec: {
  name: string;
  mutating: boolean;
  input: Schema;
  run(input: z.infer<Schema>, groupName: string, store: ResourceGroupsStore, ctx: OperationContext): Promise<Output>;
}): Operation<Schema, Output> {
  return defineOperation({
    service: 'Tend',
    name: spec.name,
    action: `resource-groups:${spec.name}`,
    mutating: spec.mutating,
    input: spec.input,
    resources: (input, ctx) => [groupsStore(ctx).arn(selectedGroupName(input, ctx))],
    run: (input, ctx) => spec.run(input, selectedGroupName(input, ctx), groupsStore(ctx), ctx),
  });
}
