import { sql, type Insertable, type Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';

/**
 * Storage of patch compliance: the per-node patch state and patch rows,
 * the operations history, the fleet's package catalog, and the compliance
 * API's items and summaries. Writes take the caller's transaction (a step
 * report is recorded in the transaction that records the invocation result);
 * reads are in the operations, which filter and page over these tables.
 */

/** The compliance API's resource type for a managed node; the only one Systems Manager supports. */
export const MANAGED_INSTANCE_RESOURCE = 'ManagedInstance';
/** The compliance type patch reports write. */
export const PATCH_COMPLIANCE_TYPE = 'Patch';

export const COMPLIANCE_SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNSPECIFIED'] as const;
export type ComplianceSeverity = (typeof COMPLIANCE_SEVERITIES)[number];
export type ComplianceStatus = 'COMPLIANT' | 'NON_COMPLIANT';

/** SeveritySummary, as Systems Manager names its members. */
export interface SeveritySummary {
  CriticalCount: number;
  HighCount: number;
  MediumCount: number;
  LowCount: number;
  InformationalCount: number;
  UnspecifiedCount: number;
}

const SEVERITY_MEMBER: Record<ComplianceSeverity, keyof SeveritySummary> = {
  CRITICAL: 'CriticalCount',
  HIGH: 'HighCount',
  MEDIUM: 'MediumCount',
  LOW: 'LowCount',
  INFORMATIONAL: 'InformationalCount',
  UNSPECIFIED: 'UnspecifiedCount',
};

export function emptySeveritySummary(): SeveritySummary {
  return { CriticalCount: 0, HighCount: 0, MediumCount: 0, LowCount: 0, InformationalCount: 0, UnspecifiedCount: 0 };
}

export function addSeverity(summary: SeveritySummary, severity: string, n = 1): void {
  const member = SEVERITY_MEMBER[severity as ComplianceSeverity] ?? 'UnspecifiedCount';
  summary[member] += n;
}

/** Rank for "the highest severity": CRITICAL highest, UNSPECIFIED lowest. */
export function severityRank(severity: string): number {
  const i = COMPLIANCE_SEVERITIES.indexOf(severity as ComplianceSeverity);
  return i < 0 ? 0 : COMPLIANCE_SEVERITIES.length - i;
}

// SQLite's bound-parameter limit (PostgreSQL's is 65,535): a batch insert
// carries as many rows as fit, so a node's 2,000 patch rows go in one
// statement and a pathological 100,000 in a few.
const MAX_BOUND_VALUES = 32_766;

/** Inserts rows in as few statements as the parameter limit allows. */
export async function insertBatch<T extends keyof Database & string>(trx: Kysely<Database>, table: T, rows: Insertable<Database[T]>[]): Promise<number> {
  if (rows.length === 0) return 0;
  const columns = Object.keys(rows[0] as object).length;
  const perStatement = Math.max(1, Math.floor(MAX_BOUND_VALUES / columns));
  let statements = 0;
  for (let at = 0; at < rows.length; at += perStatement) {
    await trx
      .insertInto(table)
      .values(rows.slice(at, at + perStatement) as any)
      .execute();
    statements++;
  }
  return statements;
}

/** One compliance item as stored (ComplianceItemEntry plus its key). */
export interface ComplianceItemRow {
  key: string;
  id: string | undefined;
  title: string | undefined;
  severity: string;
  status: ComplianceStatus;
  details: Record<string, string> | undefined;
}

export interface ComplianceExecution {
  time: number;
  id?: string;
  type?: string;
}

/** What ListResourceComplianceSummaries says about one resource and type, from its items. */
export interface ComplianceRollup {
  status: ComplianceStatus;
  overallSeverity: ComplianceSeverity;
  compliantCount: number;
  nonCompliantCount: number;
  compliant: SeveritySummary;
  nonCompliant: SeveritySummary;
}

/**
 * Rolls items up: the resource is NON_COMPLIANT when any item is; its
 * overall severity is the highest severity among its non-compliant items
 * (among all items when it is compliant), UNSPECIFIED with no items.
 */
export function rollUp(items: readonly Pick<ComplianceItemRow, 'severity' | 'status'>[]): ComplianceRollup {
  const compliant = emptySeveritySummary();
  const nonCompliant = emptySeveritySummary();
  let compliantCount = 0;
  let nonCompliantCount = 0;
  let highestAll = 'UNSPECIFIED';
  let highestNon = 'UNSPECIFIED';
  for (const item of items) {
    if (severityRank(item.severity) > severityRank(highestAll)) highestAll = item.severity;
    if (item.status === 'COMPLIANT') {
      compliantCount++;
      addSeverity(compliant, item.severity);
    } else {
      nonCompliantCount++;
      addSeverity(nonCompliant, item.severity);
      if (severityRank(item.severity) > severityRank(highestNon)) highestNon = item.severity;
    }
  }
  const status: ComplianceStatus = nonCompliantCount > 0 ? 'NON_COMPLIANT' : 'COMPLIANT';
  return {
    status,
    overallSeverity: (status === 'NON_COMPLIANT' ? highestNon : highestAll) as ComplianceSeverity,
    compliantCount,
    nonCompliantCount,
    compliant,
    nonCompliant,
  };
}

/**
 * Replaces every item of one resource and compliance type (UploadType
 * COMPLETE, and every patch report) and its summary.
 */
export async function replaceComplianceItems(
  trx: Kysely<Database>,
  target: { resourceType: string; resourceId: string; complianceType: string },
  items: readonly ComplianceItemRow[],
  execution: ComplianceExecution,
  now: number,
  itemContentHash?: string,
): Promise<void> {
  const where = <Q extends { where: any }>(q: Q): Q =>
    q
      .where('resource_type', '=', target.resourceType)
      .where('resource_id', '=', target.resourceId)
      .where('compliance_type', '=', target.complianceType) as Q;
  await where(trx.deleteFrom('compliance_items')).execute();
  await insertBatch(
    trx,
    'compliance_items',
    items.map((item) => ({
      resource_type: target.resourceType,
      resource_id: target.resourceId,
      compliance_type: target.complianceType,
      item_key: item.key,
      item_id: item.id ?? null,
      title: item.title ?? null,
      severity: item.severity,
      status: item.status,
      details: item.details && Object.keys(item.details).length > 0 ? JSON.stringify(item.details) : null,
    })),
  );
  await writeComplianceSummary(trx, target, rollUp(items), execution, now, itemContentHash);
}

/**
 * Adds or replaces the given items by Id and keeps the others (UploadType
 * PARTIAL), then recomputes the summary from everything the resource has.
 */
export async function mergeComplianceItems(
  trx: Kysely<Database>,
  target: { resourceType: string; resourceId: string; complianceType: string },
  items: readonly ComplianceItemRow[],
  execution: ComplianceExecution,
  now: number,
  itemContentHash?: string,
): Promise<void> {
  const keys = items.map((i) => i.key);
  for (let at = 0; at < keys.length; at += 1000) {
    await trx
      .deleteFrom('compliance_items')
      .where('resource_type', '=', target.resourceType)
      .where('resource_id', '=', target.resourceId)
      .where('compliance_type', '=', target.complianceType)
      .where('item_key', 'in', keys.slice(at, at + 1000))
      .execute();
  }
  await insertBatch(
    trx,
    'compliance_items',
    items.map((item) => ({
      resource_type: target.resourceType,
      resource_id: target.resourceId,
      compliance_type: target.complianceType,
      item_key: item.key,
      item_id: item.id ?? null,
      title: item.title ?? null,
      severity: item.severity,
      status: item.status,
      details: item.details && Object.keys(item.details).length > 0 ? JSON.stringify(item.details) : null,
    })),
  );
  const all = await trx
    .selectFrom('compliance_items')
    .select(['severity', 'status'])
    .where('resource_type', '=', target.resourceType)
    .where('resource_id', '=', target.resourceId)
    .where('compliance_type', '=', target.complianceType)
    .execute();
  await writeComplianceSummary(trx, target, rollUp(all), execution, now, itemContentHash);
}

async function writeComplianceSummary(
  trx: Kysely<Database>,
  target: { resourceType: string; resourceId: string; complianceType: string },
  rollup: ComplianceRollup,
  execution: ComplianceExecution,
  now: number,
  itemContentHash: string | undefined,
): Promise<void> {
  const values = {
    status: rollup.status,
    overall_severity: rollup.overallSeverity,
    compliant_count: rollup.compliantCount,
    non_compliant_count: rollup.nonCompliantCount,
    compliant_severities: JSON.stringify(rollup.compliant),
    non_compliant_severities: JSON.stringify(rollup.nonCompliant),
    execution_time: execution.time,
    execution_id: execution.id ?? null,
    execution_type: execution.type ?? null,
    item_content_hash: itemContentHash ?? null,
    updated_at: now,
  };
  await trx
    .insertInto('compliance_summaries')
    .values({ resource_type: target.resourceType, resource_id: target.resourceId, compliance_type: target.complianceType, ...values })
    .onConflict((oc) => oc.columns(['resource_type', 'resource_id', 'compliance_type']).doUpdateSet(values))
    .execute();
}

/** Custom compliance types a resource has (PutComplianceItems allows 10). */
export async function customComplianceTypes(db: Kysely<Database>, resourceType: string, resourceId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('compliance_summaries')
    .select('compliance_type')
    .where('resource_type', '=', resourceType)
    .where('resource_id', '=', resourceId)
    .where('compliance_type', 'like', 'Custom:%')
    .execute();
  return rows.map((r) => r.compliance_type);
}

/** The stored ItemContentHash of a resource's compliance type, if any. */
export async function storedContentHash(db: Kysely<Database>, target: { resourceType: string; resourceId: string; complianceType: string }): Promise<string | null | undefined> {
  const row = await db
    .selectFrom('compliance_summaries')
    .select('item_content_hash')
    .where('resource_type', '=', target.resourceType)
    .where('resource_id', '=', target.resourceId)
    .where('compliance_type', '=', target.complianceType)
    .executeTakeFirst();
  return row?.item_content_hash;
}

/**
 * Rows of managed nodes that were deregistered: their compliance is not
 * reported (a deregistered node is not non-compliant, it is gone).
 */
export function nodeIsGone(resourceIdColumn: string) {
  return sql<boolean>`exists (select 1 from managed_nodes gone where gone.instance_id = ${sql.ref(resourceIdColumn)} and gone.deregistered_at is not null)`;
}

/** Escapes a LIKE pattern's wildcards (used with `escape '\'`). */
export function likeEscape(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A batch of catalog rows: one per product, name, arch and version, merged so one statement never touches a row twice. */
export type CatalogRow = Insertable<Database['patch_catalog']>;

/**
 * Adds package versions to the fleet catalog. What a report knows is
 * merged with what is known: a version first seen installed (often with no
 * metadata) gains its advisory data when a node reports it as an update.
 */
export async function upsertCatalog(trx: Kysely<Database>, rows: readonly CatalogRow[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!).length;
  const perStatement = Math.floor(MAX_BOUND_VALUES / columns);
  const keep = (column: keyof CatalogRow & string) => sql<any>`coalesce(excluded.${sql.ref(column)}, patch_catalog.${sql.ref(column)})`;
  for (let at = 0; at < rows.length; at += perStatement) {
    await trx
      .insertInto('patch_catalog')
      .values(rows.slice(at, at + perStatement) as CatalogRow[])
      .onConflict((oc) =>
        oc.columns(['product', 'name', 'arch', 'version']).doUpdateSet({
          classification: keep('classification'),
          severity: keep('severity'),
          priority: keep('priority'),
          section: keep('section'),
          repository: keep('repository'),
          security: keep('security'),
          release_date: keep('release_date'),
          title: keep('title'),
          cve_ids: keep('cve_ids'),
          advisory_ids: keep('advisory_ids'),
          bugzilla_ids: keep('bugzilla_ids'),
          last_reported_at: sql`excluded.last_reported_at`,
        }),
      )
      .execute();
  }
}
