import { sql } from 'kysely';
import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { decodeNextToken, encodeNextToken, queryFingerprint } from '../../../rpc/page-token.js';
import type { Database } from '../../../storage/schema.js';
import { epochSeconds, filterValuesByKey, nextTokenField, patchOrchestratorFilters } from './compliance-common.js';

/** Linux keys of DescribeAvailablePatches, plus Debian's PRIORITY and SECTION, which Tend's catalog knows too. */
const FILTER_KEYS = [
  'PRODUCT',
  'NAME',
  'CLASSIFICATION',
  'SEVERITY',
  'ARCH',
  'REPOSITORY',
  'ADVISORY_ID',
  'CVE_ID',
  'BUGZILLA_ID',
  'EPOCH',
  'VERSION',
  'RELEASE',
  'PRIORITY',
  'SECTION',
] as const;

const COLUMN: Partial<Record<(typeof FILTER_KEYS)[number], keyof Database['patch_catalog']>> = {
  PRODUCT: 'product',
  NAME: 'name',
  CLASSIFICATION: 'classification',
  SEVERITY: 'severity',
  ARCH: 'arch',
  REPOSITORY: 'repository',
  PRIORITY: 'priority',
  SECTION: 'section',
};
const ID_COLUMN: Partial<Record<(typeof FILTER_KEYS)[number], 'cve_ids' | 'advisory_ids' | 'bugzilla_ids'>> = {
  CVE_ID: 'cve_ids',
  ADVISORY_ID: 'advisory_ids',
  BUGZILLA_ID: 'bugzilla_ids',
};

const input = z.object({
  Filters: patchOrchestratorFilters,
  MaxResults: z.number().int().min(1).max(100).optional(),
  NextToken: nextTokenField,
});

/** Epoch, version and release of a full package version (`[epoch:]version[-release]`). */
export function versionParts(full: string): { epoch: number; version: string; release: string | undefined } {
  const colon = full.indexOf(':');
  const epoch = colon > 0 ? Number(full.slice(0, colon)) || 0 : 0;
  const rest = colon > 0 ? full.slice(colon + 1) : full;
  const hyphen = rest.lastIndexOf('-');
  return hyphen >= 0 ? { epoch, version: rest.slice(0, hyphen), release: rest.slice(hyphen + 1) } : { epoch, version: rest, release: undefined };
}

/** A catalog row as Systems Manager's Patch (Linux members). */
export function patchOutput(row: Database['patch_catalog']) {
  const parts = versionParts(row.version);
  const id = `${row.name}.${row.arch}:${row.version}`;
  const ids = (json: string | null) => (json ? (JSON.parse(json) as string[]) : undefined);
  return {
    Id: id,
    ...(row.release_date !== null ? { ReleaseDate: epochSeconds(row.release_date) } : {}),
    Title: row.title ?? id,
    Product: row.product,
    ...(row.classification !== null ? { Classification: row.classification } : {}),
    ...(row.severity !== null ? { Severity: row.severity } : {}),
    ...(row.repository !== null ? { Repository: row.repository } : {}),
    ...(ids(row.advisory_ids) ? { AdvisoryIds: ids(row.advisory_ids) } : {}),
    ...(ids(row.bugzilla_ids) ? { BugzillaIds: ids(row.bugzilla_ids) } : {}),
    ...(ids(row.cve_ids) ? { CVEIds: ids(row.cve_ids) } : {}),
    Name: row.name,
    Epoch: parts.epoch,
    Version: parts.version,
    ...(parts.release !== undefined ? { Release: parts.release } : {}),
    Arch: row.arch,
  };
}

/**
 * DescribeAvailablePatches: Tend has no vendor catalog, so this is the
 * catalog of every package version its nodes reported (installed or
 * offered as an update), with the metadata the package managers gave.
 * Filters are the Linux keys; unlike Systems Manager, PRODUCT is not
 * required (the catalog only holds Linux products).
 */
export const describeAvailablePatches = defineOperation({
  service: 'AmazonSSM',
  name: 'DescribeAvailablePatches',
  action: 'ssm:DescribeAvailablePatches',
  input,
  mutating: false,
  resources: () => [],
  async run(i, ctx) {
    const filters = filterValuesByKey(i.Filters, FILTER_KEYS);
    const pageSize = i.MaxResults ?? 50;
    const fingerprint = queryFingerprint({ op: 'DescribeAvailablePatches', f: i.Filters });
    const offset = decodeNextToken<number>(i.NextToken, fingerprint, 'number') ?? 0;
    let query = ctx.services.db.selectFrom('patch_catalog').selectAll();
    for (const [key, values] of filters) {
      const column = COLUMN[key];
      const idColumn = ID_COLUMN[key];
      if (column) query = query.where(column, 'in', values);
      else if (idColumn) query = query.where((eb) => eb.or(values.map((v) => sql<boolean>`${sql.ref(idColumn)} like ${`%${JSON.stringify(v).replace(/[\\%_]/g, (c) => `\\${c}`)}%`} escape '\\'`)));
    }
    query = query.orderBy('product').orderBy('name').orderBy('arch').orderBy('version');
    // EPOCH, VERSION and RELEASE are parts of the stored version: filtered here, over the rows the others let through.
    const epochs = filters.get('EPOCH');
    const versions = filters.get('VERSION');
    const releases = filters.get('RELEASE');
    let rows: Database['patch_catalog'][];
    if (epochs || versions || releases) {
      rows = (await query.execute())
        .filter((row) => {
          const parts = versionParts(row.version);
          return (!epochs || epochs.includes(String(parts.epoch))) && (!versions || versions.includes(parts.version)) && (!releases || (parts.release !== undefined && releases.includes(parts.release)));
        })
        .slice(offset, offset + pageSize + 1);
    } else {
      rows = await query.limit(pageSize + 1).offset(offset).execute();
    }
    return {
      Patches: rows.slice(0, pageSize).map(patchOutput),
      ...(rows.length > pageSize ? { NextToken: encodeNextToken(offset + pageSize, fingerprint) } : {}),
    };
  },
});
