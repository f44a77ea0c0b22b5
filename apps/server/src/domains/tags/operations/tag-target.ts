import { z } from 'zod';
import type { OperationContext } from '../../../rpc/operation.js';
import { SSM_TAGGING_RESOURCE_TYPES, tagResourceResolver, type SsmTaggingResourceType } from '../tag-resource-types.js';
import { TagsStore, type TagTarget } from '../tags.store.js';

/** The two members every tagging operation starts with. */
export const tagResourceMembers = {
  ResourceType: z.enum(SSM_TAGGING_RESOURCE_TYPES),
  // Parameter names may be up to 2048 characters, the longest id any type uses.
  ResourceId: z.string().min(1).max(2048),
};

interface TagResourceInput {
  ResourceType: SsmTaggingResourceType;
  ResourceId: string;
}

/** Resolves the caller's ResourceType/ResourceId; an unsupported type is InvalidResourceType. */
export function tagTarget(input: TagResourceInput): TagTarget {
  const resolver = tagResourceResolver(input.ResourceType);
  return { resourceType: input.ResourceType, resourceId: input.ResourceId, resolver, key: resolver.key(input.ResourceId) };
}

/** The ARN authorized for a tagging call: the tagged resource itself. */
export function tagTargetArns(input: TagResourceInput, ctx: OperationContext): string[] {
  const target = tagTarget(input);
  return [target.resolver.arn(target.key, arnScope(ctx))];
}

/** The store bound to this request's clock. */
export function tagsStore(ctx: OperationContext): TagsStore {
  const { db, dialect } = ctx.services;
  return new TagsStore({ db, dialect, scope: arnScope(ctx), now: () => ctx.now.getTime() });
}

function arnScope(ctx: OperationContext) {
  return { region: ctx.services.config.region, accountId: ctx.services.config.accountId };
}
