import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import type { Dialect } from '../../storage/database.js';
import { ServiceError } from '../../rpc/errors.js';
import { parameterArn, parameterNameKey } from '../parameters/parameter-names.js';
import { MAX_TAGS_PER_RESOURCE } from './tag-rules.js';
import { managedInstanceTagResolver } from '../nodes/node-tags.js';
import { documentTagResolver } from '../documents/document-tags.js';
import { patchBaselineTagResolver } from '../patch/patch-baseline-tags.js';
import { maintenanceWindowTagResolver } from '../maintenance-windows/maintenance-window-tags.js';
import { opsItemTagResolver } from '../ops-items/ops-item-tags.js';

/** Every `ResourceType` Systems Manager's tagging operations accept. */
export const SSM_TAGGING_RESOURCE_TYPES = [
  'Association',
  'Automation',
  'CloudConnector',
  'Document',
  'MaintenanceWindow',
  'ManagedInstance',
  'OpsItem',
  'OpsMetadata',
  'Parameter',
  'PatchBaseline',
] as const;

export type SsmTaggingResourceType = (typeof SSM_TAGGING_RESOURCE_TYPES)[number];

/** Where ARNs point: the server's region and account. */
export interface ArnScope {
  region: string;
  accountId: string;
}

/**
 * What the tagging operations need to know about one kind of resource. A
 * domain makes its resources taggable by adding a resolver to
 * `RESOLVERS` below; the operations and the store stay unchanged.
 */
export interface TagResourceResolver {
  /** The `resource_id` stored in `resource_tags`, from the id the caller gave. */
  key(resourceId: string): string;
  /** The ARN the caller must be allowed to tag (IAM resource of the action). */
  arn(key: string, scope: ArnScope): string;
  /**
   * Whether the resource exists. With `lock`, called inside the tagging
   * transaction, it also locks the resource row on PostgreSQL, so concurrent
   * tag changes to one resource are serialized and the tag limit holds
   * (SQLite serializes write transactions by itself).
   */
  exists(db: Kysely<Database>, key: string, options: { dialect: Dialect; lock: boolean }): Promise<boolean>;
  /** Tags allowed on one resource (Automation executions allow fewer, for example). */
  maxTags: number;
  /**
   * Outbox event type of a tag change, when the resource's domain names its
   * own (managed nodes write `node.tags`); default `resource.tags.change`.
   * The payload is the same either way.
   */
  changeEvent?: string;
}

const parameterResolver: TagResourceResolver = {
  key: parameterNameKey,
  arn: (key, scope) => parameterArn(scope.region, scope.accountId, key),
  async exists(db, key, { dialect, lock }) {
    let q = db.selectFrom('parameters').select('name_key').where('name_key', '=', key);
    if (lock && dialect === 'postgres') q = q.forUpdate();
    return (await q.executeTakeFirst()) !== undefined;
  },
  maxTags: MAX_TAGS_PER_RESOURCE,
};

const RESOLVERS: Partial<Record<SsmTaggingResourceType, TagResourceResolver>> = {
  Parameter: parameterResolver,
  ManagedInstance: managedInstanceTagResolver,
  Document: documentTagResolver,
  PatchBaseline: patchBaselineTagResolver,
  MaintenanceWindow: maintenanceWindowTagResolver,
  OpsItem: opsItemTagResolver,
};

/** The resolver for a resource type, or InvalidResourceType naming what Tend can tag today. */
export function tagResourceResolver(resourceType: SsmTaggingResourceType): TagResourceResolver {
  const resolver = RESOLVERS[resourceType];
  if (!resolver) {
    const supported = Object.keys(RESOLVERS).join(', ');
    throw new ServiceError(
      'InvalidResourceType',
      `Tend cannot tag resources of type ${resourceType} yet; supported resource types: ${supported}`,
    );
  }
  return resolver;
}
