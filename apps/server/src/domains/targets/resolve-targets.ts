import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import { ServiceError, validationError } from '../../rpc/errors.js';
import { validationErrorFrom } from '../../rpc/validation.js';
import type { ArnScope } from '../tags/tag-resource-types.js';
import { MANAGED_INSTANCE_TYPE, selectsManagedNodes } from '../resource-groups/group-query.js';
import { activeNodes, nodeHasAnyTagKey, nodeHasTag, whereTagFilters } from '../resource-groups/node-membership.js';
import { groupArn, ResourceGroupsStore } from '../resource-groups/resource-groups.store.js';

/**
 * Systems Manager's targeting, resolved to managed-node ids in one place for
 * every feature that acts on nodes (Run Command, maintenance windows, State
 * Manager). The rules are Systems Manager's: different keys must all hold,
 * the values of one key are alternatives, deregistered nodes are never
 * targets.
 */

// Systems Manager's limits: targets per request, unique values per key, ids per request.
export const MAX_TARGETS = 5;
export const MAX_VALUES_PER_TARGET = 5;
export const MAX_INSTANCE_IDS = 50;

const TARGET_KEY = /^[\p{L}\p{Z}\p{N}_.:/=\-@]*$/u;
const INSTANCE_ID = /^(i-(\w{8}|\w{17})|mi-\w{17})$/;
const GROUP_NAME_KEY = 'resource-groups:Name';
const GROUP_TYPES_KEY = 'resource-groups:ResourceTypeFilters';
const MAX_TAG_KEY_CHARS = 128;

export const instanceIdSchema = z.string().regex(INSTANCE_ID, 'Member must satisfy regular expression pattern: (^i-(\\w{8}|\\w{17})$)|(^mi-\\w{17}$)');

/** Systems Manager's `Target` structure, with the bounds its API model gives (Key 1–163 characters, up to 50 values). */
export const targetSchema = z.object({
  Key: z.string().min(1).max(163).regex(TARGET_KEY, 'Member must satisfy regular expression pattern: ^[\\p{L}\\p{Z}\\p{N}_.:/=\\-@]*$'),
  Values: z.array(z.string().max(256)).max(50),
});

/** The two members by which Systems Manager operations designate nodes, for operation input schemas. */
export const targetingMembers = {
  InstanceIds: z.array(instanceIdSchema).max(MAX_INSTANCE_IDS).optional(),
  Targets: z.array(targetSchema).max(MAX_TARGETS).optional(),
};

const targetingSchema = z.object(targetingMembers);

export type Target = z.infer<typeof targetSchema>;

export interface TargetingInput {
  InstanceIds?: string[];
  Targets?: Target[];
}

/** One checked criterion. */
export type TargetCriterion =
  | { kind: 'instance-ids'; instanceIds: string[] }
  | { kind: 'tag'; key: string; values: string[] }
  | { kind: 'tag-key'; keys: string[] }
  | { kind: 'resource-group'; name: string }
  | { kind: 'resource-types'; types: string[] };

const FORMATS =
  'Targets must be either one target with Key=InstanceIds and up to 50 node ids, or up to 5 targets, each one of ' +
  'Key=tag:<tag-key>, Key=tag-key, Key=resource-groups:Name (one group) or Key=resource-groups:ResourceTypeFilters, with up to 5 unique values each';

/**
 * Checks targeting input and returns its criteria, all of which must hold.
 * ValidationException, naming the rule, for anything Systems Manager would
 * refuse. Operations call this when a request is made, so a bad target is
 * refused then rather than when a window or association later runs.
 */
export function checkTargets(input: TargetingInput): TargetCriterion[] {
  const parsed = targetingSchema.safeParse(input);
  if (!parsed.success) throw validationErrorFrom(parsed.error);
  const instanceIds = parsed.data.InstanceIds ?? [];
  const targets = parsed.data.Targets ?? [];
  if (instanceIds.length && targets.length) throw validationError('InstanceIds and Targets cannot both be given: designate the nodes one way');
  if (instanceIds.length) return [{ kind: 'instance-ids', instanceIds: unique(instanceIds) }];
  if (!targets.length) throw validationError('No nodes designated: give InstanceIds or Targets');

  const criteria = targets.map((target) => readTarget(target.Key, unique(target.Values)));
  if (criteria.length > 1 && criteria.some((c) => c.kind === 'instance-ids')) throw validationError(`${FORMATS}; Key=InstanceIds cannot be combined with other keys`);
  if (criteria.filter((c) => c.kind === 'resource-group').length > 1) throw validationError(`${FORMATS}; at most one resource group can be targeted`);
  return criteria;
}

function readTarget(key: string, values: string[]): TargetCriterion {
  if (values.length === 0) throw validationError(`Target ${key} has no values`);
  if (key.toLowerCase() === 'instanceids') {
    if (values.length > MAX_INSTANCE_IDS) throw validationError(`${FORMATS}; Key=InstanceIds has ${values.length} ids`);
    const bad = values.find((v) => !INSTANCE_ID.test(v));
    if (bad !== undefined) throw validationError(`Target InstanceIds: ${JSON.stringify(bad)} is not a managed node id`);
    return { kind: 'instance-ids', instanceIds: values };
  }
  if (key === GROUP_NAME_KEY) {
    if (values.length !== 1) throw validationError(`${FORMATS}; Key=${GROUP_NAME_KEY} takes exactly one group name`);
    return { kind: 'resource-group', name: values[0]! };
  }
  if (values.length > MAX_VALUES_PER_TARGET) throw validationError(`${FORMATS}; Key=${key} has ${values.length} unique values`);
  if (key === GROUP_TYPES_KEY) return { kind: 'resource-types', types: values };
  if (key === 'tag-key') return { kind: 'tag-key', keys: values };
  if (key.startsWith('tag:')) {
    const tagKey = key.slice('tag:'.length);
    if (tagKey.length === 0 || tagKey.length > MAX_TAG_KEY_CHARS) throw validationError(`Target ${key}: the tag key must have 1 to ${MAX_TAG_KEY_CHARS} characters`);
    return { kind: 'tag', key: tagKey, values };
  }
  throw validationError(`Target key ${key} is not supported. ${FORMATS}`);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

export interface ResolveTargetsOptions {
  scope: ArnScope;
  /**
   * The caller, when the targets come from a request: targeting a resource
   * group needs `resource-groups:ListGroupResources` on it, as in Systems
   * Manager, since it reveals the group's members. Omitted when the
   * server resolves targets registered earlier (a maintenance window run).
   */
  caller?: { arn: string; isAllowed(action: string, resourceArn: string): boolean };
}

export interface ResolvedTargets {
  /** Ids of the active managed nodes designated, sorted, each once. */
  instanceIds: string[];
  /**
   * Ids named explicitly that are not active managed nodes (unknown or
   * deregistered). Each feature decides what that means: SendCommand
   * answers InvalidInstanceId, a maintenance window run skips them.
   */
  unknownInstanceIds: string[];
  /** resource-groups:Name values naming no group; they designate no node. */
  missingGroups: string[];
}

/**
 * Resolves targeting input to managed-node ids with one SQL statement
 * (plus one read per resource group named), whatever the fleet size: tag
 * criteria are EXISTS probes on resource_tags' primary key, never one
 * query per node.
 */
export async function resolveTargets(db: Kysely<Database>, input: TargetingInput, options: ResolveTargetsOptions): Promise<ResolvedTargets> {
  const criteria = checkTargets(input);
  let query = activeNodes(db);
  let matchesNothing = false;
  const named: string[] = [];
  const missingGroups: string[] = [];

  for (const c of criteria) {
    switch (c.kind) {
      case 'instance-ids':
        named.push(...c.instanceIds);
        query = query.where('managed_nodes.instance_id', 'in', c.instanceIds);
        break;
      case 'tag':
        query = query.where((eb) => nodeHasTag(eb, c.key, c.values));
        break;
      case 'tag-key':
        query = query.where((eb) => nodeHasAnyTagKey(eb, c.keys));
        break;
      case 'resource-types':
        // Managed nodes are the only resources Tend targets; a filter that leaves them out leaves nothing.
        if (!c.types.some((t) => t.toLowerCase() === MANAGED_INSTANCE_TYPE.toLowerCase())) matchesNothing = true;
        break;
      case 'resource-group': {
        const arn = groupArn(options.scope, c.name);
        const action = 'resource-groups:ListGroupResources';
        if (options.caller && !options.caller.isAllowed(action, arn)) {
          throw new ServiceError(
            'AccessDeniedException',
            `User: ${options.caller.arn} is not authorized to perform: ${action} on resource: ${arn}, which targeting the resource group requires`,
          );
        }
        const groupQuery = await new ResourceGroupsStore({ db, scope: options.scope }).findQuery(c.name);
        if (!groupQuery) missingGroups.push(c.name);
        if (!groupQuery || !selectsManagedNodes(groupQuery)) matchesNothing = true;
        else query = whereTagFilters(query, groupQuery.tagFilters);
        break;
      }
    }
  }

  const instanceIds = matchesNothing ? [] : (await query.execute()).map((r) => r.instance_id);
  const found = new Set(instanceIds);
  return { instanceIds, unknownInstanceIds: named.filter((id) => !found.has(id)).sort(), missingGroups };
}
