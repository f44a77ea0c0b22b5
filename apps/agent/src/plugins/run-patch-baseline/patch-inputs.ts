import {
  defaultBaselineFor,
  formatPatchBaselineProblems,
  operatingSystemSchema,
  packageFormatOf,
  patchBaselineRulesSchema,
  patternProblem,
  validatePatchBaseline,
  type OperatingSystem,
  type PatchBaselineRules,
} from '@tend/protocol';
import type { PatchPlatform } from './node-platform.js';

/**
 * The inputs of an `aws:runPatchBaseline` step. The document's parameters
 * (Operation, SnapshotId, InstallOverrideList, RebootOption,
 * BaselineOverride) arrive as the strings the document rendered, '' for
 * "not given"; the server adds the node's own inputs at send time
 * (BaselineId, PatchGroup, OperatingSystem and Baseline, the rules of the
 * node's effective baseline).
 */

export type PatchOperationName = 'Scan' | 'Install';
export type RebootOption = 'RebootIfNeeded' | 'NoReboot';

export interface ParsedPatchInputs {
  operation: PatchOperationName;
  rebootOption: RebootOption;
  snapshotId?: string;
  /** Where the install override list is: inline content, a path on the node or an http(s) URL (see readPatchText). */
  installOverrideList?: string | string[];
  /** Where the baseline override is: inline JSON, a path on the node or an http(s) URL. */
  baselineOverride?: string;
  /** From the server: the node's effective baseline. */
  baseline?: PatchBaselineRules;
  baselineId?: string;
  patchGroup?: string;
  operatingSystem?: OperatingSystem;
}

/** What the operation runs with, once overrides are read and the baseline is settled. */
export interface PatchRequest {
  operation: PatchOperationName;
  rebootOption: RebootOption;
  snapshotId?: string;
  /** InstallOverrideList's patch ids (Install only): they alone decide what is installed. */
  installOverride?: string[];
  baseline: PatchBaselineRules;
  baselineId: string;
  /** The baseline is the step's BaselineOverride, not the node's baseline. */
  override: boolean;
  patchGroup?: string;
  platform: PatchPlatform;
}

const optionalText = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/** Checks the step's inputs; a string is the reason they are unusable. */
export function parsePatchInputs(inputs: Record<string, unknown>): ParsedPatchInputs | string {
  const operation = optionalText(inputs.Operation);
  if (operation !== 'Scan' && operation !== 'Install') return `Input Operation must be Scan or Install, not ${JSON.stringify(inputs.Operation ?? '')}.`;
  const reboot = optionalText(inputs.RebootOption) ?? 'RebootIfNeeded';
  if (reboot !== 'RebootIfNeeded' && reboot !== 'NoReboot') return `Input RebootOption must be RebootIfNeeded or NoReboot, not ${JSON.stringify(reboot)}.`;

  const parsed: ParsedPatchInputs = { operation, rebootOption: reboot };
  const snapshotId = optionalText(inputs.SnapshotId);
  if (snapshotId) parsed.snapshotId = snapshotId.replace(/^\{|\}$/g, '');

  const overrideList = inputs.InstallOverrideList;
  if (Array.isArray(overrideList)) {
    if (!overrideList.every((entry) => typeof entry === 'string')) return 'Input InstallOverrideList must be a list of patch names.';
    if (overrideList.length > 0) parsed.installOverrideList = overrideList as string[];
  } else if (overrideList !== undefined && typeof overrideList !== 'string') {
    return 'Input InstallOverrideList must be a list of patches, a path on the node or an https:// URL.';
  } else if (optionalText(overrideList)) {
    parsed.installOverrideList = optionalText(overrideList);
  }

  const baselineOverride = inputs.BaselineOverride;
  if (baselineOverride !== undefined && typeof baselineOverride !== 'string') {
    // The server's inputs are JSON: an object is the override itself.
    if (typeof baselineOverride !== 'object' || baselineOverride === null) return 'Input BaselineOverride must be a patch baseline (JSON), a path on the node or an https:// URL.';
    parsed.baselineOverride = JSON.stringify(baselineOverride);
  } else if (optionalText(baselineOverride)) {
    parsed.baselineOverride = optionalText(baselineOverride);
  }

  if (inputs.Baseline !== undefined && inputs.Baseline !== '') {
    const raw = typeof inputs.Baseline === 'string' ? safeJson(inputs.Baseline) : inputs.Baseline;
    const baseline = patchBaselineRulesSchema.safeParse(raw);
    if (!baseline.success) return `Input Baseline is not a patch baseline: ${baseline.error.issues[0]?.path.join('.') || '(root)'}: ${baseline.error.issues[0]?.message}.`;
    parsed.baseline = baseline.data;
  }
  const baselineId = optionalText(inputs.BaselineId);
  if (baselineId) parsed.baselineId = baselineId;
  const patchGroup = optionalText(inputs.PatchGroup);
  if (patchGroup) parsed.patchGroup = patchGroup;
  const os = optionalText(inputs.OperatingSystem);
  if (os) {
    const checked = operatingSystemSchema.safeParse(os);
    if (!checked.success) return `Input OperatingSystem ${JSON.stringify(os)} is not an operating system Systems Manager names.`;
    parsed.operatingSystem = checked.data;
  }
  return parsed;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Reads a document input that names its content: a path on the node, or an http(s) URL. */
export type ReadPatchText = (location: string, what: string, signal: AbortSignal) => Promise<string>;

/**
 * Settles what the operation runs with: reads the overrides (BaselineOverride
 * replaces the node's baseline; InstallOverrideList is read for Install
 * only), falls back to the predefined default baseline of the node's
 * operating system when the server sent none (a server that does not
 * resolve baselines per node), and checks the baseline. A string is the
 * reason the step cannot run.
 */
export async function resolvePatchRequest(
  parsed: ParsedPatchInputs,
  platform: PatchPlatform,
  readText: ReadPatchText,
  signal: AbortSignal,
): Promise<PatchRequest | string> {
  try {
    return await resolve(parsed, platform, readText, signal);
  } catch (err) {
    // An override that cannot be read (missing file, HTTP error) is a reason not to run, like a bad input.
    if (signal.aborted) throw err;
    return err instanceof Error ? err.message : String(err);
  }
}

async function resolve(parsed: ParsedPatchInputs, platform: PatchPlatform, readText: ReadPatchText, signal: AbortSignal): Promise<PatchRequest | string> {
  let baseline: PatchBaselineRules | undefined = parsed.baseline;
  let baselineId = parsed.baselineId;
  let override = false;
  if (parsed.baselineOverride !== undefined) {
    const text = looksInline(parsed.baselineOverride) ? parsed.baselineOverride : await readText(parsed.baselineOverride, 'BaselineOverride', signal);
    const json = safeJson(text);
    const checked = patchBaselineRulesSchema.safeParse(json);
    if (typeof json === 'string' || !checked.success) {
      return `BaselineOverride is not a patch baseline in JSON${checked.success ? '' : ` (${checked.error.issues[0]?.path.join('.') || 'root'}: ${checked.error.issues[0]?.message})`}.`;
    }
    // Systems Manager's BaselineOverride names its OperatingSystem; one that does not is meant for this node's.
    baseline = { ...checked.data, OperatingSystem: checked.data.OperatingSystem ?? platform.operatingSystem };
    override = true;
  }
  if (!baseline) {
    const fallback = defaultBaselineFor(platform.operatingSystem);
    if (!fallback) return `No patch baseline for ${platform.operatingSystem}: Tend has no default baseline for it.`;
    const { Name, BaselineId, Description: _description, ...rules } = fallback;
    baseline = rules;
    baselineId ??= BaselineId ?? Name;
  }
  const problems = validatePatchBaseline(baseline);
  if (problems.length > 0) return `The patch baseline is not valid: ${formatPatchBaselineProblems(problems)}`;
  const format = packageFormatOf(baseline.OperatingSystem ?? 'WINDOWS');
  if (format !== packageFormatOf(platform.operatingSystem)) {
    return `The patch baseline is for ${baseline.OperatingSystem ?? 'WINDOWS'}, but this node runs ${platform.operatingSystem} (${platform.product}).`;
  }

  const request: PatchRequest = {
    operation: parsed.operation,
    rebootOption: parsed.rebootOption,
    baseline,
    baselineId: baselineId ?? (override ? 'BaselineOverride' : 'unknown'),
    override,
    platform,
  };
  if (parsed.snapshotId) request.snapshotId = parsed.snapshotId;
  if (parsed.patchGroup) request.patchGroup = parsed.patchGroup;
  if (parsed.operation === 'Install' && parsed.installOverrideList !== undefined) {
    const list = parsed.installOverrideList;
    const entries = Array.isArray(list) ? list : parseInstallOverrideList(looksInline(list) || !isLocation(list) ? list : await readText(list, 'InstallOverrideList', signal));
    const bad = entries.map((entry) => patternProblem(format!, entry, 'override')).find((problem) => problem !== undefined);
    if (bad) return `InstallOverrideList: ${bad}`;
    request.installOverride = entries;
  }
  return request;
}

const looksInline = (text: string) => /^\s*[[{]/.test(text);
/** A path on the node or a URL, as opposed to the list itself. */
const isLocation = (text: string) => /^(\/|[a-z][a-z0-9+.-]*:\/\/)/i.test(text.trim());

/**
 * The patch ids of an InstallOverrideList: Systems Manager's YAML
 * (`patches:` with `- id: 'name'` items, other keys ignored), a JSON list of
 * ids or of `{ "id": … }`, or ids separated by commas or line breaks.
 */
export function parseInstallOverrideList(text: string): string[] {
  const json = safeJson(text);
  if (typeof json === 'object' && json !== null) {
    const items = Array.isArray(json) ? json : (json as { patches?: unknown }).patches;
    if (Array.isArray(items)) {
      return items.flatMap((item) => (typeof item === 'string' ? [item] : typeof item === 'object' && item && typeof (item as { id?: unknown }).id === 'string' ? [(item as { id: string }).id] : []));
    }
  }
  // The YAML Systems Manager documents: only the `id` keys name patches (titles are informational).
  const ids = [...text.matchAll(/^\s*(?:-\s*)?id\s*:\s*(['"]?)([^'"\s#]+)\1/gm)].map((m) => m[2]!);
  if (ids.length > 0 || /^\s*patches\s*:/m.test(text)) return ids;
  return text
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '' && !entry.startsWith('#'));
}
