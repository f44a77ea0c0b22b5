import { z } from 'zod';
import { ServiceError } from '../../rpc/errors.js';
import { normalizeHierarchyPath } from './parameter-names.js';
import { PARAMETER_TYPES, REQUESTED_TIERS } from './parameter-values.js';
import { isUnderPath, type ParameterRecord } from './parameters.store.js';

/** ParameterStringFilter, as DescribeParameters and GetParametersByPath take it. */
export const parameterStringFilterSchema = z.object({
  Key: z.string().min(1).max(132),
  Option: z.string().min(1).max(10).optional(),
  Values: z.array(z.string().min(1).max(1024)).min(1).max(50).optional(),
});
export type ParameterStringFilter = z.infer<typeof parameterStringFilterSchema>;

/** The deprecated ParametersFilter of DescribeParameters. */
export const legacyParametersFilterSchema = z.object({
  Key: z.string().min(1),
  Values: z.array(z.string().min(1).max(1024)).min(1).max(50),
});
export type LegacyParametersFilter = z.infer<typeof legacyParametersFilterSchema>;

export type FilterUsage = 'DescribeParameters' | 'GetParametersByPath';

const TEXT_OPTIONS = ['Equals', 'BeginsWith'];
/** Keys and options each operation accepts (the SDK's ParameterStringFilter documentation). */
const KEY_OPTIONS: Record<FilterUsage, Record<string, string[]>> = {
  DescribeParameters: {
    Name: ['Equals', 'BeginsWith', 'Contains'],
    Type: TEXT_OPTIONS,
    KeyId: TEXT_OPTIONS,
    Path: ['OneLevel', 'Recursive'],
    Tier: TEXT_OPTIONS,
    DataType: TEXT_OPTIONS,
  },
  GetParametersByPath: { Type: TEXT_OPTIONS, KeyId: TEXT_OPTIONS, Label: ['Equals'] },
};
const TAG_PREFIX = 'tag:';

/** What a filter looks at besides the parameter's own metadata. */
export interface FilterCandidate {
  record: ParameterRecord;
  tags?: Map<string, string>;
}

export interface CompiledFilters {
  /** All filters but Label: every one must hold (values of one filter are alternatives). */
  test(candidate: FilterCandidate): boolean;
  needsTags: boolean;
  /** Label filter values: the caller returns the version carrying one of them. */
  labels?: string[];
  /** Path filters, so a single one can narrow the database scan. */
  paths: { path: string; recursive: boolean }[];
  /** A stable description of the filters, for NextToken fingerprints. */
  canonical: unknown;
}

/** Validates filters for an operation and turns them into a predicate. */
export function compileFilters(filters: ParameterStringFilter[] | undefined, usage: FilterUsage): CompiledFilters {
  const tests: ((c: FilterCandidate) => boolean)[] = [];
  const paths: CompiledFilters['paths'] = [];
  let labels: string[] | undefined;
  let needsTags = false;
  const canonical: unknown[] = [];

  for (const filter of filters ?? []) {
    const isTag = usage === 'DescribeParameters' && filter.Key.startsWith(TAG_PREFIX);
    const tagKey = isTag ? filter.Key.slice(TAG_PREFIX.length) : '';
    const options = isTag ? TEXT_OPTIONS : KEY_OPTIONS[usage][filter.Key];
    if (!options || (isTag && tagKey === '')) {
      throw new ServiceError('InvalidFilterKey', `The following filter key is not valid for ${usage}: ${filter.Key}. Valid keys: ${validKeys(usage)}.`);
    }
    const option = filter.Option ?? options[0]!;
    if (!options.includes(option)) {
      throw new ServiceError('InvalidFilterOption', `The following filter option is not valid for ${filter.Key}: ${option}. Valid options: ${options.join(', ')}.`);
    }
    const values = filter.Values ?? [];
    if (!isTag && values.length === 0) {
      throw new ServiceError('InvalidFilterValue', `The following filter values are missing : null for filterKey: ${filter.Key}`);
    }
    canonical.push([filter.Key, option, values]);

    if (isTag) {
      needsTags = true;
      tests.push((c) => {
        const value = c.tags?.get(tagKey);
        return value !== undefined && (values.length === 0 || matchesText(option, value, values));
      });
      continue;
    }
    switch (filter.Key) {
      case 'Name': {
        // "/a" and "a" are one parameter, so a leading slash never decides a match.
        const wanted = values.map(withoutLeadingSlash);
        tests.push((c) => matchesText(option, withoutLeadingSlash(c.record.name), wanted));
        break;
      }
      case 'Type':
        if (option === 'Equals') assertAllIn(values, PARAMETER_TYPES, 'Type');
        tests.push((c) => matchesText(option, c.record.type, values));
        break;
      case 'Tier':
        if (option === 'Equals') assertAllIn(values, REQUESTED_TIERS, 'Tier');
        tests.push((c) => matchesText(option, c.record.tier, values));
        break;
      case 'KeyId':
        tests.push((c) => c.record.keyId !== null && matchesText(option, c.record.keyId, values));
        break;
      case 'DataType':
        tests.push((c) => matchesText(option, c.record.dataType, values));
        break;
      case 'Path': {
        const recursive = option === 'Recursive';
        const normalized = values.map((v) => normalizeHierarchyPath(v, (message) => new ServiceError('InvalidFilterValue', message)));
        for (const path of normalized) paths.push({ path, recursive });
        tests.push((c) => normalized.some((path) => isUnderPath(c.record, path, recursive)));
        break;
      }
      case 'Label':
        labels = [...(labels ?? []), ...values];
        break;
    }
  }
  return { test: (c) => tests.every((t) => t(c)), needsTags, labels, paths, canonical };
}

/**
 * The deprecated Filters of DescribeParameters as ParameterStringFilters:
 * Name matches by prefix, Type and KeyId exactly.
 */
export function fromLegacyFilters(filters: LegacyParametersFilter[]): ParameterStringFilter[] {
  return filters.map((filter) => {
    if (!['Name', 'Type', 'KeyId'].includes(filter.Key)) {
      throw new ServiceError('InvalidFilterKey', `The following filter key is not valid: ${filter.Key}. Valid keys: Name, Type, KeyId.`);
    }
    return { Key: filter.Key, Option: filter.Key === 'Name' ? 'BeginsWith' : 'Equals', Values: filter.Values };
  });
}

function matchesText(option: string, actual: string, values: string[]): boolean {
  switch (option) {
    case 'BeginsWith':
      return values.some((v) => actual.startsWith(v));
    case 'Contains':
      return values.some((v) => actual.includes(v));
    default:
      return values.includes(actual);
  }
}

function assertAllIn(values: string[], allowed: readonly string[], key: string): void {
  const bad = values.find((v) => !allowed.includes(v));
  if (bad !== undefined) {
    throw new ServiceError('InvalidFilterValue', `The following filter value is not valid for ${key}: ${bad}. Valid values: ${allowed.join(', ')}.`);
  }
}

function withoutLeadingSlash(name: string): string {
  return name.startsWith('/') ? name.slice(1) : name;
}

function validKeys(usage: FilterUsage): string {
  const keys = Object.keys(KEY_OPTIONS[usage]);
  return (usage === 'DescribeParameters' ? [...keys, 'tag:<key>'] : keys).join(', ');
}
