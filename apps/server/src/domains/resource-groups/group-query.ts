import { ServiceError } from '../../rpc/errors.js';

/** The resource type of a Tend managed node, as Resource Groups and Systems Manager name it. */
export const MANAGED_INSTANCE_TYPE = 'AWS::SSM::ManagedInstance';
/** The ResourceTypeFilters value that stands for every type the query type supports. */
export const ALL_SUPPORTED_TYPES = 'AWS::AllSupported';

/** The only query type Tend evaluates: resources selected by their tags. */
export const TAG_FILTERS_QUERY = 'TAG_FILTERS_1_0';

// Resource Groups' documented bounds for one tag-based query.
export const MAX_TAG_FILTERS = 50;
export const MAX_VALUES_PER_TAG_FILTER = 20;
const MAX_TAG_KEY_CHARS = 128;
const MAX_TAG_VALUE_CHARS = 256;

/** One tag filter: the resource must carry `key`, with one of `values` (any value when the list is empty). */
export interface TagFilter {
  key: string;
  values: string[];
}

/** A parsed TAG_FILTERS_1_0 query. */
export interface TagQuery {
  /** `AWS::AllSupported` alone, or resource types. */
  resourceTypeFilters: string[];
  /** All must hold (AND across filters); within one filter the values are alternatives (OR). */
  tagFilters: TagFilter[];
}

/** The ResourceQuery structure as it travels on the wire; Query is a JSON document in a string. */
export interface ResourceQuery {
  Type: string;
  Query: string;
}

/** Whether a group with these filters can hold managed nodes at all. */
export function selectsManagedNodes(query: TagQuery): boolean {
  return query.resourceTypeFilters.some((t) => t === ALL_SUPPORTED_TYPES || t === MANAGED_INSTANCE_TYPE);
}

function badQuery(reason: string): ServiceError {
  return new ServiceError('BadRequestException', `Query not valid: ${reason}`);
}

/**
 * Parses and checks a ResourceQuery. Everything Tend could not honour is
 * refused with the reason, never ignored: a group that silently matched
 * more (or less) than it reads would send commands to the wrong machines.
 */
export function parseResourceQuery(resourceQuery: ResourceQuery): TagQuery {
  if (resourceQuery.Type !== TAG_FILTERS_QUERY) {
    const known = resourceQuery.Type === 'CLOUDFORMATION_STACK_1_0' ? ' (CloudFormation stacks do not exist in Tend)' : '';
    throw new ServiceError(
      'BadRequestException',
      `Query type ${resourceQuery.Type} is not supported${known}; Tend evaluates only ${TAG_FILTERS_QUERY} queries`,
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(resourceQuery.Query);
  } catch {
    throw badQuery('the Query member is not valid JSON');
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) throw badQuery('the Query member must be a JSON object');
  const members = document as Record<string, unknown>;
  const unknown = Object.keys(members).filter((k) => k !== 'ResourceTypeFilters' && k !== 'TagFilters');
  if (unknown.length) throw badQuery(`unknown member ${unknown.join(', ')}; a ${TAG_FILTERS_QUERY} query has ResourceTypeFilters and TagFilters`);
  return { resourceTypeFilters: readResourceTypeFilters(members.ResourceTypeFilters), tagFilters: readTagFilters(members.TagFilters) };
}

function readResourceTypeFilters(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string')) {
    throw badQuery(`ResourceTypeFilters must be a non-empty list of resource types, such as ["${MANAGED_INSTANCE_TYPE}"]`);
  }
  const types = [...new Set(value as string[])];
  const unsupported = types.filter((t) => t !== MANAGED_INSTANCE_TYPE && t !== ALL_SUPPORTED_TYPES);
  if (unsupported.length) {
    throw badQuery(
      `resource type ${unsupported.join(', ')} is not supported; Tend groups hold managed nodes (${MANAGED_INSTANCE_TYPE}) or use ${ALL_SUPPORTED_TYPES}`,
    );
  }
  if (types.includes(ALL_SUPPORTED_TYPES) && types.length > 1) throw badQuery(`${ALL_SUPPORTED_TYPES} cannot be combined with other resource types`);
  return types;
}

function readTagFilters(value: unknown): TagFilter[] {
  // Resource Groups requires a tag-based query to name at least one tag; a
  // query without one would silently mean "every node".
  if (!Array.isArray(value) || value.length === 0) throw badQuery('TagFilters must be a non-empty list of {"Key": …, "Values": […]} filters');
  if (value.length > MAX_TAG_FILTERS) throw badQuery(`TagFilters has ${value.length} filters; at most ${MAX_TAG_FILTERS} are allowed`);
  return value.map((filter, i) => {
    const where = `TagFilters[${i}]`;
    if (filter === null || typeof filter !== 'object' || Array.isArray(filter)) throw badQuery(`${where} must be an object with Key and Values`);
    const { Key: key, Values: values, ...rest } = filter as Record<string, unknown>;
    if (Object.keys(rest).length) throw badQuery(`${where} has unknown member ${Object.keys(rest).join(', ')}`);
    if (typeof key !== 'string' || key.length === 0 || key.length > MAX_TAG_KEY_CHARS) {
      throw badQuery(`${where}.Key must be a tag key of 1 to ${MAX_TAG_KEY_CHARS} characters`);
    }
    if (values === undefined) return { key, values: [] };
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'string' && v.length <= MAX_TAG_VALUE_CHARS)) {
      throw badQuery(`${where}.Values must be a list of tag values of at most ${MAX_TAG_VALUE_CHARS} characters`);
    }
    if (values.length > MAX_VALUES_PER_TAG_FILTER) {
      throw badQuery(`${where}.Values has ${values.length} values; at most ${MAX_VALUES_PER_TAG_FILTER} are allowed per tag key`);
    }
    return { key, values: [...new Set(values as string[])] };
  });
}
