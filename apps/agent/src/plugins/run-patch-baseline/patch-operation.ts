import {
  compileBaseline,
  evaluateNode,
  patchOf,
  PATCH_REPORT_KIND,
  type NodePackageFacts,
  type NodePatchEvaluation,
  type PackageToInstall,
  type PatchReport,
} from '@tend/protocol';
import { collectPackageFacts } from '../../patch/collect-facts.js';
import type { PackageBackend } from '../../patch/package-backend.js';
import type { PatchPlatform } from './node-platform.js';
import { parsePatchInputs, resolvePatchRequest, type PatchRequest, type ReadPatchText } from './patch-inputs.js';

/**
 * The body of `aws:runPatchBaseline`, written once for every backend: the
 * real agent runs it on apt/dnf/zypper, `tend sim` on the simulated backend.
 * Two halves, because a reboot may sit between them in another process:
 *
 * 1. {@link scanOrInstall}: scan (refresh, facts), and for Install evaluate
 *    the baseline, install exactly what it approves (BLOCK keeps rejected
 *    versions out even as dependencies), rescan, and say whether the node
 *    should now reboot.
 * 2. {@link completePatchOperation}: from the facts once everything is over
 *    (after the reboot, if there was one), evaluate again, print the summary
 *    and build the report the server records.
 */

export type PatchOutputWriter = (stream: 'stdout' | 'stderr', text: string) => void;

export interface PatchOperationContext {
  backend: PackageBackend;
  signal: AbortSignal;
  now: () => number;
  write: PatchOutputWriter;
}

/** A package version this operation installed (the report's `installed`). */
export type InstalledByOperation = PackageToInstall & { previousVersion?: string };

/**
 * What the first half did: plain JSON, so it can be written to the state dir
 * before a reboot and finished by the next agent process.
 */
export interface PatchProgress {
  request: PatchRequest;
  startedAt: number;
  /** The facts after the operation (before any reboot). */
  facts: NodePackageFacts;
  installed: InstalledByOperation[];
  /** Requested versions that are not in place, with the package manager's reason. */
  failed: Array<PackageToInstall & { reason: string }>;
  /** RebootIfNeeded, the node asks for a reboot, and this Install changed packages or patches wait for the reboot. */
  rebootWanted: boolean;
}

/** The step's outcome, ready for a PluginResult or a simulated step. */
export interface PatchOutcome {
  status: 'Success' | 'Failed';
  /** Why it Failed, one line (also written to stderr). */
  message?: string;
  report: { kind: typeof PATCH_REPORT_KIND; data: PatchReport };
  evaluation: NodePatchEvaluation;
}

/** How a reboot went: back from it, not done (why), or in the hands of the next agent process. */
export type RebootOutcome = { rebooted: true } | { rebooted: false; problem: string } | 'handed-off';

export interface PatchStepContext extends PatchOperationContext {
  /** The managed system as baselines name it. */
  platform: PatchPlatform;
  /** Reads InstallOverrideList / BaselineOverride from where they point. */
  readText: ReadPatchText;
  /** Reboots the node for an Install that needs it (RebootIfNeeded). */
  reboot(progress: PatchProgress): Promise<RebootOutcome>;
}

/** How a whole step ended: not started (bad inputs), stopped (cancel), handed off (reboot), the package manager failed, or done. */
export type PatchStepResult =
  | { status: 'NotRun'; message: string }
  | { status: 'Stopped' }
  | { status: 'HandedOff' }
  | { status: 'Error'; message: string }
  | PatchOutcome;

/**
 * One `aws:runPatchBaseline` step from its raw inputs to its outcome, the
 * same for the real agent and for simulated nodes; only the backend, where
 * overrides are read from, and what a reboot is differ.
 */
export async function runPatchStep(inputs: Record<string, unknown>, context: PatchStepContext): Promise<PatchStepResult> {
  const { signal, write } = context;
  const parsed = parsePatchInputs(inputs);
  if (typeof parsed === 'string') return { status: 'NotRun', message: parsed };
  try {
    const request = await resolvePatchRequest(parsed, context.platform, context.readText, signal);
    if (typeof request === 'string') return { status: 'NotRun', message: request };
    const progress = await scanOrInstall(request, context);
    if (!progress.rebootWanted) return completePatchOperation(progress, progress.facts, { rebooted: false, now: context.now(), write });
    write('stdout', 'Rebooting the node (RebootOption RebootIfNeeded, a reboot is required).\n');
    const reboot = await context.reboot(progress);
    if (reboot === 'handed-off') return { status: 'HandedOff' };
    if (reboot.rebooted) write('stdout', 'The node is back from its reboot.\n');
    const facts = await rescan(request, context);
    return completePatchOperation(progress, facts, { rebooted: reboot.rebooted, ...(reboot.rebooted ? {} : { rebootProblem: reboot.problem }), now: context.now(), write });
  } catch (err) {
    if (signal.aborted) return { status: 'Stopped' };
    const message = `The patch operation failed: ${err instanceof Error ? err.message : String(err)}`;
    write('stderr', message + '\n');
    return { status: 'Error', message };
  }
}

/** Scans, and for Install installs what the baseline approves; throws when the package manager fails. */
export async function scanOrInstall(request: PatchRequest, context: PatchOperationContext): Promise<PatchProgress> {
  const { backend, signal, write } = context;
  const startedAt = context.now();
  const sources = request.baseline.Sources ?? [];

  write('stdout', `${request.operation} with patch baseline ${request.baselineId}${request.override ? ' (BaselineOverride)' : ''}${request.patchGroup ? `, patch group ${request.patchGroup}` : ''} on ${request.platform.product} (${backend.kind})\n`);
  const before = await collectFacts(request, context, false);
  const progress: PatchProgress = { request, startedAt, facts: before, installed: [], failed: [], rebootWanted: false };
  if (request.operation === 'Scan') return progress;

  const baseline = compileBaseline(request.baseline);
  const evaluation = evaluateNode(baseline, before, {
    now: context.now(),
    ...(request.installOverride ? { installOverride: request.installOverride } : {}),
    detail: 'none',
  });
  let changed = false;
  if (evaluation.install.length === 0) {
    write('stdout', 'Nothing to install: every approved patch is in place.\n');
  } else {
    write('stdout', `Installing ${evaluation.install.length} package${evaluation.install.length === 1 ? '' : 's'}: ${evaluation.install.map(packageLabel).join(' ')}\n`);
    const blocked = evaluation.blockRejected ? evaluation.rejectedUpdates : [];
    if (blocked.length > 0) write('stdout', `Blocked (RejectedPatchesAction BLOCK): ${blocked.map(packageLabel).join(' ')}\n`);
    // The baseline's sources must be configured, and their metadata read, while the package manager fetches from them.
    const result = await backend.withSources(
      sources,
      request.platform.product,
      async () => {
        if (sources.length > 0) await backend.refreshMetadata(signal);
        return backend.install(evaluation.install, signal, { blocked });
      },
      signal,
    );
    if (result.output) write('stdout', result.output.endsWith('\n') ? result.output : result.output + '\n');
    for (const failure of result.failed) write('stderr', `Failed to install ${packageLabel(failure)}: ${failure.reason}\n`);

    const changedTo = new Map(result.changes.map((c) => [`${c.name}\u0000${c.toVersion}`, c]));
    progress.installed = result.installed.flatMap((p) => {
      const change = changedTo.get(`${p.name}\u0000${p.version}`);
      // Requested versions already in place were not installed by this operation.
      if (!change) return [];
      return [change.fromVersion === undefined ? { ...p } : { ...p, previousVersion: change.fromVersion }];
    });
    progress.failed = result.failed;
    changed = result.changes.length > 0;
    progress.facts = await rescan(request, context);
  }
  // RebootIfNeeded, as Systems Manager has it: reboot when this Install changed packages, or when
  // patches installed earlier still wait for a reboot (an earlier NoReboot run), and the node asks for one.
  if (request.rebootOption === 'RebootIfNeeded' && progress.facts.reboot?.required === true) {
    progress.rebootWanted =
      changed || evaluateNode(baseline, progress.facts, { now: context.now(), failed: progress.failed, detail: 'none' }).counts.InstalledPendingRebootCount > 0;
  }
  return progress;
}

/** A scan with the baseline's sources in place; `skipRefresh` when the metadata is known to be fresh. */
export function collectFacts(request: PatchRequest, context: Pick<PatchOperationContext, 'backend' | 'signal' | 'now'>, skipRefresh: boolean): Promise<NodePackageFacts> {
  return collectPackageFacts(context.backend, {
    operatingSystem: request.platform.operatingSystem,
    product: request.platform.product,
    sources: request.baseline.Sources ?? [],
    skipRefresh,
    signal: context.signal,
    now: context.now,
  });
}

/**
 * The facts again after an install or a reboot. The metadata is still fresh
 * unless the baseline has sources: they were removed after the install, and
 * their indexes only count while they are configured.
 */
export function rescan(request: PatchRequest, context: Pick<PatchOperationContext, 'backend' | 'signal' | 'now'>): Promise<NodePackageFacts> {
  return collectFacts(request, context, (request.baseline.Sources ?? []).length === 0);
}

/**
 * Evaluates the final facts, prints the summary and builds the report.
 * `facts` are the node's packages once the operation is over (after the
 * reboot when there was one); `rebootProblem` says why a wanted reboot did
 * not happen.
 */
export function completePatchOperation(
  progress: PatchProgress,
  facts: NodePackageFacts,
  outcome: { rebooted: boolean; rebootProblem?: string; now: number; write: PatchOutputWriter },
): PatchOutcome {
  const { request } = progress;
  const evaluation = evaluateNode(compileBaseline(request.baseline), facts, {
    now: outcome.now,
    failed: progress.failed,
    detail: 'nonCompliant',
  });
  const report: PatchReport = {
    operation: request.operation,
    baselineId: request.baselineId,
    ...(request.override ? { override: true } : {}),
    baseline: request.baseline,
    ...(request.patchGroup ? { patchGroup: request.patchGroup } : {}),
    ...(request.snapshotId ? { snapshotId: request.snapshotId } : {}),
    rebootOption: request.rebootOption,
    startedAt: progress.startedAt,
    endedAt: outcome.now,
    facts,
    installed: progress.installed,
    failed: progress.failed.map(({ name, arch, version }) => ({ name, arch, version })),
    rebooted: outcome.rebooted,
  };
  outcome.write('stdout', formatPatchSummary(progress, evaluation, outcome.rebooted));

  const problems: string[] = [];
  if (progress.failed.length > 0) problems.push(`${progress.failed.length} package${progress.failed.length === 1 ? '' : 's'} failed to install: ${progress.failed.map(packageLabel).join(' ')}`);
  if (outcome.rebootProblem) problems.push(outcome.rebootProblem);
  if (problems.length === 0) return { status: 'Success', report: { kind: PATCH_REPORT_KIND, data: report }, evaluation };
  const message = problems.join('; ') + '.';
  outcome.write('stderr', message + '\n');
  return { status: 'Failed', message, report: { kind: PATCH_REPORT_KIND, data: report }, evaluation };
}

/** Rows of the summary listed one by one; the counts cover the rest. */
const SUMMARY_ROWS = 200;

/**
 * What a person reads in the command's output: the counts Systems Manager
 * reports per node, what the operation changed, and every non-compliant
 * patch with its state (the compliance itself is the server's, from the report).
 */
export function formatPatchSummary(progress: PatchProgress, evaluation: NodePatchEvaluation, rebooted: boolean): string {
  const c = evaluation.counts;
  const lines = [
    '',
    `Patch summary (${progress.request.operation}, baseline ${progress.request.baselineId}):`,
    `  Installed: ${c.InstalledCount}  InstalledOther: ${c.InstalledOtherCount}  InstalledPendingReboot: ${c.InstalledPendingRebootCount}  InstalledRejected: ${c.InstalledRejectedCount}  Missing: ${c.MissingCount}  Failed: ${c.FailedCount}`,
    `  Non-compliant: ${c.CriticalNonCompliantCount} critical, ${c.SecurityNonCompliantCount} security, ${c.OtherNonCompliantCount} other`,
  ];
  if (progress.request.operation === 'Install') {
    lines.push(`  Installed by this operation: ${progress.installed.length === 0 ? 'nothing' : progress.installed.map(packageLabel).join(' ')}`);
    if (rebooted) lines.push('  The node was rebooted.');
    else if (progress.request.rebootOption === 'NoReboot' && c.InstalledPendingRebootCount > 0) lines.push('  RebootOption NoReboot: the node needs a reboot to finish.');
  }
  const rows = evaluation.patches;
  if (rows.length > 0) {
    lines.push('  Non-compliant patches:');
    for (const row of rows.slice(0, SUMMARY_ROWS)) {
      const patch = patchOf(row);
      const from = row.update ? ` (installed ${row.installed.version})` : '';
      const origin = patch.repository ? ` ${patch.repository}` : '';
      lines.push(`    ${row.state.padEnd(24)} ${patch.name} ${patch.version}${from}${row.security ? ' security' : ''}${origin}`);
    }
    if (rows.length > SUMMARY_ROWS) lines.push(`    … and ${rows.length - SUMMARY_ROWS} more`);
  }
  return lines.join('\n') + '\n';
}

function packageLabel(p: { name: string; version: string }): string {
  return `${p.name}=${p.version}`;
}
