import { z } from 'zod';
import { ServiceError, validationError } from '../../rpc/errors.js';
import { PLATFORM_TYPES, type PlatformType } from './document-rules.js';
import type { DocumentAndVersion, StoredDocumentQuery } from './documents.store.js';

/** DocumentKeyValuesFilter (ListDocuments' Filters). */
export const documentKeyValuesFilterSchema = z.object({
  Key: z.string().min(1).max(128),
  Values: z.array(z.string().min(1).max(256)).max(50).optional(),
});
/** The deprecated DocumentFilter (DocumentFilterList). */
export const legacyDocumentFilterSchema = z.object({
  key: z.enum(['Name', 'Owner', 'PlatformTypes', 'DocumentType']),
  value: z.string().min(1),
});

type KeyValuesFilter = z.infer<typeof documentKeyValuesFilterSchema>;
type LegacyFilter = z.infer<typeof legacyDocumentFilterSchema>;

/** The filters of one ListDocuments call, ready for the store and for the built-ins. */
export interface CompiledDocumentFilters {
  /** Which documents to look at, from the Owner filter. */
  self: boolean;
  amazon: boolean;
  /** The filters as the store applies them (paging added by the caller). */
  query: Omit<StoredDocumentQuery, 'after' | 'limit'>;
  /** The same filters over a document held in memory (the built-ins). */
  matches(candidate: DocumentAndVersion, tags: { Key: string; Value: string }[]): boolean;
  /** A stable form of the filters, for NextToken fingerprints. */
  canonical: unknown;
}

const TAG_PREFIX = 'tag:';
const OWNER_SOURCES: Record<string, { self: boolean; amazon: boolean }> = {
  Self: { self: true, amazon: false },
  // Tend shares no documents between accounts: what is private to the account is what it owns.
  Private: { self: true, amazon: false },
  Amazon: { self: false, amazon: true },
  // The built-ins are the only public documents Tend has.
  Public: { self: false, amazon: true },
  ThirdParty: { self: false, amazon: false },
  All: { self: true, amazon: true },
};

/**
 * Compiles ListDocuments' filters: keys are ANDed, the values of one key
 * ORed. Keys: Owner (one value), Name (prefixes), DocumentType,
 * PlatformTypes, TargetType, and `tag:<key>` (the tag with one of the
 * values, or just the tag when no value is given).
 */
export function compileDocumentFilters(filters: KeyValuesFilter[] | undefined, legacy: LegacyFilter[] | undefined, accountId: string): CompiledDocumentFilters {
  if (filters && legacy) throw validationError('Use either Filters or DocumentFilterList in one request, not both.');
  const entries = filters ?? mergeLegacy(legacy ?? []);
  const query: CompiledDocumentFilters['query'] = { tags: [] };
  let sources = { self: true, amazon: true };
  const seen = new Set<string>();

  for (const { Key: key, Values: values = [] } of entries) {
    // Values of one key are alternatives; the same key twice would ask for an AND the API does not define.
    if (seen.has(key)) throw validationError(`The filter key ${key} appears more than once: give all its values in one filter.`);
    seen.add(key);
    if (key.startsWith(TAG_PREFIX) && key.length > TAG_PREFIX.length) {
      query.tags.push({ key: key.slice(TAG_PREFIX.length), values: values.length ? values : undefined });
      continue;
    }
    if (values.length === 0) throw validationError(`The ${key} filter needs at least one value.`);
    switch (key) {
      case 'Owner': {
        const owner = values[0]!;
        if (values.length > 1) throw validationError('Only one Owner value can be given in a request.');
        const picked = owner === accountId ? OWNER_SOURCES.Self : Object.hasOwn(OWNER_SOURCES, owner) ? OWNER_SOURCES[owner] : undefined;
        if (!picked) throw validationError(`Owner ${owner} is not valid: use Self, Amazon, Private, Public, ThirdParty, All or this account's id.`);
        sources = picked;
        break;
      }
      case 'Name':
        query.namePrefixes = values;
        break;
      case 'DocumentType':
        query.documentTypes = values;
        break;
      case 'PlatformTypes':
        // Only the three platform words can match; anything else matches nothing, like any unknown value.
        query.platformTypes = values.filter((v): v is PlatformType => (PLATFORM_TYPES as readonly string[]).includes(v));
        break;
      case 'TargetType':
        query.targetTypes = values;
        break;
      default:
        throw new ServiceError(
          'InvalidFilterKey',
          `The filter key ${key} is not valid. Valid keys: Owner, Name, DocumentType, PlatformTypes, TargetType, or tag:<tag key>.`,
        );
    }
  }

  const matchesNothing = [query.namePrefixes, query.documentTypes, query.platformTypes, query.targetTypes].some((list) => list?.length === 0);
  if (matchesNothing) sources = { self: false, amazon: false };

  return {
    ...sources,
    query,
    matches({ document, version }, tags) {
      if (query.documentTypes && !query.documentTypes.includes(document.documentType)) return false;
      if (query.namePrefixes && !query.namePrefixes.some((p) => document.name.startsWith(p))) return false;
      if (query.platformTypes && !query.platformTypes.some((p) => version.platformTypes.includes(p))) return false;
      if (query.targetTypes && (version.targetType === null || !query.targetTypes.includes(version.targetType))) return false;
      return query.tags.every((want) => tags.some((t) => t.Key === want.key && (!want.values || want.values.includes(t.Value))));
    },
    canonical: { sources, query },
  };
}

/** The deprecated list names one value per entry; entries of one key are alternatives, as Values are. */
function mergeLegacy(legacy: LegacyFilter[]): KeyValuesFilter[] {
  const byKey = new Map<string, string[]>();
  for (const f of legacy) byKey.set(f.key, [...(byKey.get(f.key) ?? []), f.value]);
  return [...byKey].map(([Key, Values]) => ({ Key, Values }));
}
