import type { Kysely } from 'kysely';
import pino, { type Logger } from 'pino';
import {
  compileBaseline,
  evaluateNode,
  isCompliantState,
  patchOf,
  patchReportSchema,
  type AvailableUpdate,
  type InstalledPackage,
  type PatchCounts,
  type PatchReport,
  type PatchStateEntry,
} from '@tend/protocol';
import type { Database } from '../../storage/schema.js';
import type { StepReportHandler } from '../commands/command-engine.js';
import { notifyPatchEvents } from './patch-notifications.js';
import {
  insertBatch,
  MANAGED_INSTANCE_RESOURCE,
  PATCH_COMPLIANCE_TYPE,
  replaceComplianceItems,
  upsertCatalog,
  type CatalogRow,
  type ComplianceItemRow,
} from './patch-compliance.store.js';

/** Outbox event types of patch compliance (DESIGN.md, "Events"). */
/** Patching operations kept in the history (Tend.ListPatchOperations) per node: the newest. */
export const PATCH_OPERATIONS_KEPT_PER_NODE = 100;

export const PATCH_EVENTS = {
  state: 'patch.state',
  rebootPending: 'reboot.pending',
} as const;

/** Payload of `patch.state`: written with every recorded operation; `changed` tells consumers whether compliance moved. */
export interface PatchStateEvent {
  instanceId: string;
  commandId: string;
  operation: 'Scan' | 'Install';
  baselineId: string;
  patchGroup: string;
  compliant: boolean;
  /** Undefined on a node's first report. */
  previouslyCompliant: boolean | undefined;
  /** The counts or the compliance differ from the node's previous report (or there was none). */
  changed: boolean;
  counts: PatchCounts;
  rebootPending: boolean;
}

/**
 * Payload of `reboot.pending`: written only when a node's pending-reboot
 * condition changes, so a node waiting a week for its reboot notifies once,
 * and once more (`pending: false`) when the reboot clears it.
 */
export interface RebootPendingEvent {
  instanceId: string;
  commandId: string;
  pending: boolean;
  /** The patches installed and waiting for the reboot (`name.arch`), at most 50. */
  packages: string[];
  pendingCount: number;
}

/** What the handler did with one report, for tests and logs. */
export interface RecordedPatchReport {
  compliant: boolean;
  counts: PatchCounts;
  patchRows: number;
  /** Statements that inserted the node's patch rows. */
  patchRowStatements: number;
  events: string[];
}

export interface PatchReportHandlerOptions {
  logger?: Logger;
  /** Called after a report is recorded (inside the transaction). */
  onRecorded?: (instanceId: string, recorded: RecordedPatchReport) => void;
}

/**
 * The handler of `patch` step reports: validates the report, evaluates the
 * reported facts against the reported baseline rules (compliance is computed
 * here from facts, with the same function the agent used), and replaces the
 * node's patch state, patch rows and `Patch` compliance items, appends the
 * operation to the history, adds the versions to the fleet catalog and
 * writes the outbox events — all in the caller's transaction. A report that
 * does not validate is logged and dropped: it must not fail the
 * transaction that records the invocation's result.
 */
export function createPatchReportHandler(options: PatchReportHandlerOptions = {}): StepReportHandler {
  const logger =
    options.logger ?? pino({ level: process.env.TEND_LOG_LEVEL ?? 'info', base: { service: 'tend-server', component: 'patch-report' } });
  return async (trx, { commandId, documentName, instanceId, step, data, now }) => {
    const parsed = patchReportSchema.safeParse(data);
    if (!parsed.success) {
      logger.warn({ commandId, instanceId, step, issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`) }, 'ignoring an invalid patch report');
      return;
    }
    const report = parsed.data;
    let compiled;
    try {
      compiled = compileBaseline({ ...report.baseline, OperatingSystem: report.baseline.OperatingSystem ?? report.facts.operatingSystem });
    } catch (err) {
      logger.warn({ commandId, instanceId, step, err: (err as Error).message }, 'ignoring a patch report whose baseline cannot be evaluated');
      return;
    }
    const evaluation = evaluateNode(compiled, report.facts, { now, failed: report.failed, detail: 'all' });
    const recorded = await recordEvaluation(trx, { commandId, documentName, instanceId, step, now, report, patches: evaluation.patches, counts: evaluation.counts, compliant: evaluation.compliant });
    options.onRecorded?.(instanceId, recorded);
  };
}

/** The handler main.ts registers for PATCH_REPORT_KIND. */
export const recordPatchReport: StepReportHandler = createPatchReportHandler();

const COUNT_COLUMNS = {
  InstalledCount: 'installed_count',
  InstalledOtherCount: 'installed_other_count',
  InstalledPendingRebootCount: 'installed_pending_reboot_count',
  InstalledRejectedCount: 'installed_rejected_count',
  MissingCount: 'missing_count',
  FailedCount: 'failed_count',
  NotApplicableCount: 'not_applicable_count',
  CriticalNonCompliantCount: 'critical_non_compliant_count',
  SecurityNonCompliantCount: 'security_non_compliant_count',
  OtherNonCompliantCount: 'other_non_compliant_count',
} as const satisfies Record<keyof PatchCounts, keyof Database['instance_patch_states']>;

export function countsOf(row: Database['instance_patch_states']): PatchCounts {
  const counts = {} as PatchCounts;
  for (const [member, column] of Object.entries(COUNT_COLUMNS) as [keyof PatchCounts, keyof typeof row][]) counts[member] = Number(row[column]);
  return counts;
}

/** `name.arch`: a Linux patch's KBId, as Systems Manager reports it. */
export function kbIdOf(p: { name: string; arch: string }): string {
  return `${p.name}.${p.arch}`;
}

/** `name.arch:version`: a Linux patch's Title. */
export function patchTitleOf(p: { name: string; arch: string; version: string }): string {
  return `${p.name}.${p.arch}:${p.version}`;
}

/**
 * Classification and Severity of a patch row: the advisory's for RPM and
 * SUSE; Debian and Ubuntu have no advisories, so their section and priority
 * (what their baselines filter on) stand in.
 */
function classificationOf(p: InstalledPackage | AvailableUpdate): string {
  return p.classification ?? p.section ?? '';
}
function severityOf(p: InstalledPackage | AvailableUpdate): string {
  return p.severity ?? p.priority ?? '';
}

/** InstalledTime in compliance item Details: yyyy-MM-dd'T'HH:mm:ss'Z'. */
function detailTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

interface EvaluatedReport {
  commandId: string;
  documentName: string;
  instanceId: string;
  step: string;
  now: number;
  report: PatchReport;
  patches: PatchStateEntry[];
  counts: PatchCounts;
  compliant: boolean;
}

async function recordEvaluation(trx: Kysely<Database>, r: EvaluatedReport): Promise<RecordedPatchReport> {
  const { report, instanceId, commandId, now } = r;
  const patchGroup = report.patchGroup ?? '';
  const previous = await trx.selectFrom('instance_patch_states').selectAll().where('instance_id', '=', instanceId).executeTakeFirst();

  // 1. The node's patch rows, replaced.
  const rows: Database['instance_patches'][] = r.patches.map((entry, position) => {
    const p = patchOf(entry);
    const installed = entry.update === undefined;
    return {
      instance_id: instanceId,
      position,
      kb_id: kbIdOf(p),
      title: patchTitleOf(p),
      name: p.name,
      arch: p.arch,
      version: p.version,
      installed_version: entry.installed.version,
      classification: classificationOf(p),
      severity: severityOf(p),
      state: entry.state,
      installed_time: installed ? (entry.installed.installedTime ?? null) : null,
      cve_ids: p.cveIds && p.cveIds.length > 0 ? p.cveIds.join(',') : null,
      compliance_level: entry.complianceLevel,
      security: entry.security ? 1 : 0,
      approval: entry.approval,
    };
  });
  await trx.deleteFrom('instance_patches').where('instance_id', '=', instanceId).execute();
  const patchRowStatements = await insertBatch(trx, 'instance_patches', rows);

  // 2. The node's state.
  const pendingRows = rows.filter((row) => row.state === 'INSTALLED_PENDING_REBOOT');
  const rebootPending = pendingRows.length > 0;
  const counts: Partial<Database['instance_patch_states']> = {};
  for (const [member, column] of Object.entries(COUNT_COLUMNS) as [keyof PatchCounts, (typeof COUNT_COLUMNS)[keyof PatchCounts]][]) counts[column] = r.counts[member];
  const state: Database['instance_patch_states'] = {
    instance_id: instanceId,
    patch_group: patchGroup,
    baseline_id: report.baselineId,
    baseline_override: report.override ? 1 : 0,
    snapshot_id: report.snapshotId ?? null,
    operation: report.operation,
    operation_start_time: report.startedAt,
    operation_end_time: report.endedAt,
    reboot_option: report.rebootOption,
    last_no_reboot_install_operation_time:
      report.operation === 'Install' && report.rebootOption === 'NoReboot' ? report.endedAt : (previous?.last_no_reboot_install_operation_time ?? null),
    operating_system: report.facts.operatingSystem,
    product: report.facts.product,
    command_id: commandId,
    compliant: r.compliant ? 1 : 0,
    reboot_pending: rebootPending ? 1 : 0,
    updated_at: now,
    ...(counts as Pick<Database['instance_patch_states'], (typeof COUNT_COLUMNS)[keyof PatchCounts]>),
  };
  const { instance_id: _key, ...update } = state;
  await trx
    .insertInto('instance_patch_states')
    .values(state)
    .onConflict((oc) => oc.column('instance_id').doUpdateSet(update))
    .execute();

  // 3. The history: what this operation changed.
  await trx
    .insertInto('patch_operations')
    .values({
      instance_id: instanceId,
      command_id: commandId,
      step: r.step,
      operation: report.operation,
      baseline_id: report.baselineId,
      patch_group: patchGroup,
      reboot_option: report.rebootOption,
      start_time: report.startedAt,
      end_time: report.endedAt,
      installed: JSON.stringify(report.installed),
      failed: JSON.stringify(report.failed),
      rebooted: report.rebooted ? 1 : 0,
      recorded_at: now,
    })
    .onConflict((oc) => oc.columns(['command_id', 'instance_id', 'step']).doNothing())
    .execute();
  // A node scanned daily for years would otherwise keep every scan: the newest ones are what anyone reads.
  await trx
    .deleteFrom('patch_operations')
    .where('instance_id', '=', instanceId)
    .where('id', '<', (eb) =>
      eb.selectFrom('patch_operations').select('id').where('instance_id', '=', instanceId).orderBy('id', 'desc').limit(1).offset(PATCH_OPERATIONS_KEPT_PER_NODE - 1),
    )
    .execute();

  // 4. The fleet catalog.
  await upsertCatalog(trx, catalogRows(report, now));

  // 5. The compliance API's `Patch` items.
  const seen = new Map<string, number>();
  const items: ComplianceItemRow[] = rows.map((row) => {
    const n = seen.get(row.title) ?? 0;
    seen.set(row.title, n + 1);
    const details: Record<string, string> = {
      PatchState: row.state,
      PatchSeverity: row.severity,
      Classification: row.classification,
      PatchBaselineId: report.baselineId,
      DocumentName: r.documentName,
    };
    if (patchGroup) details.PatchGroup = patchGroup;
    if (row.installed_time !== null) details.InstalledTime = detailTime(row.installed_time);
    if (row.cve_ids) details.CVEIds = row.cve_ids;
    return {
      key: n === 0 ? row.title : `${row.title}#${n}`,
      id: row.kb_id,
      title: row.title,
      severity: row.compliance_level,
      status: isCompliantState(row.state as PatchStateEntry['state']) ? 'COMPLIANT' : 'NON_COMPLIANT',
      details,
    };
  });
  await replaceComplianceItems(
    trx,
    { resourceType: MANAGED_INSTANCE_RESOURCE, resourceId: instanceId, complianceType: PATCH_COMPLIANCE_TYPE },
    items,
    { time: report.endedAt, id: commandId, type: 'Command' },
    now,
  );

  // 6. Events.
  const previousCounts = previous ? countsOf(previous) : undefined;
  const changed = !previous || previous.compliant !== state.compliant || JSON.stringify(previousCounts) !== JSON.stringify(r.counts);
  const stateEvent: PatchStateEvent = {
    instanceId,
    commandId,
    operation: report.operation,
    baselineId: report.baselineId,
    patchGroup,
    compliant: r.compliant,
    previouslyCompliant: previous ? previous.compliant === 1 : undefined,
    changed,
    counts: r.counts,
    rebootPending,
  };
  const events: { event_type: string; occurred_at: number; payload: string }[] = [{ event_type: PATCH_EVENTS.state, occurred_at: now, payload: JSON.stringify(stateEvent) }];
  const wasPending = previous?.reboot_pending === 1;
  let rebootEvent: RebootPendingEvent | undefined;
  if (rebootPending !== wasPending) {
    rebootEvent = {
      instanceId,
      commandId,
      pending: rebootPending,
      packages: pendingRows.slice(0, 50).map((row) => row.kb_id),
      pendingCount: pendingRows.length,
    };
    events.push({ event_type: PATCH_EVENTS.rebootPending, occurred_at: now, payload: JSON.stringify(rebootEvent) });
  }
  await trx.insertInto('outbox_events').values(events).execute();
  await notifyPatchEvents(trx, stateEvent, rebootEvent, now);

  return { compliant: r.compliant, counts: r.counts, patchRows: rows.length, patchRowStatements, events: events.map((e) => e.event_type) };
}

/** The report's package versions as catalog rows, one per product, name, arch and version (metadata merged). */
function catalogRows(report: PatchReport, now: number): CatalogRow[] {
  const { product, operatingSystem } = report.facts;
  const byKey = new Map<string, CatalogRow>();
  const add = (p: InstalledPackage | AvailableUpdate) => {
    const key = `${p.name}\0${p.arch}\0${p.version}`;
    const row: CatalogRow = {
      product,
      name: p.name,
      arch: p.arch,
      version: p.version,
      operating_system: operatingSystem,
      classification: p.classification ?? null,
      severity: p.severity ?? null,
      priority: p.priority ?? null,
      section: p.section ?? null,
      repository: p.repository ?? null,
      security: p.security === undefined ? null : p.security ? 1 : 0,
      release_date: p.releaseDate ?? null,
      title: p.title ?? null,
      cve_ids: p.cveIds && p.cveIds.length > 0 ? JSON.stringify(p.cveIds) : null,
      advisory_ids: p.advisoryIds && p.advisoryIds.length > 0 ? JSON.stringify(p.advisoryIds) : null,
      bugzilla_ids: p.bugzillaIds && p.bugzillaIds.length > 0 ? JSON.stringify(p.bugzillaIds) : null,
      last_reported_at: now,
    };
    const known = byKey.get(key);
    if (!known) byKey.set(key, row);
    else for (const [k, v] of Object.entries(row)) if (v !== null && (known as Record<string, unknown>)[k] === null) (known as Record<string, unknown>)[k] = v;
  };
  for (const p of report.facts.installed) add(p);
  for (const u of report.facts.updates) add(u);
  return [...byKey.values()];
}
