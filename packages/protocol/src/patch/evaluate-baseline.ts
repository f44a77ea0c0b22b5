import {
  packageFormatOf,
  type AvailableUpdate,
  type InstalledPackage,
  type NodePackageFacts,
  type PackageFormat,
  type PackageToInstall,
  type PatchApproval,
  type PatchBaselineRules,
  type PatchComplianceLevel,
  type PatchCounts,
  type PatchFilter,
  type PatchFilterKey,
  type PatchInfo,
  type PatchState,
  type PatchStateEntry,
} from './patch-model.js';
import { parseApproveUntilDate } from './patch-filters.js';
import { compilePatchList, NAME_DEPENDS_ON_VERSION, NAME_MATCHES, type PatchListMatcher } from './patch-name-patterns.js';
import { versionComparator, type VersionComparator } from './package-versions.js';

/**
 * Baseline evaluation: one node's package facts + a baseline + the clock →
 * the state of every patch, the counts Systems Manager reports per node, and
 * the exact versions to install. Pure and synchronous: the server runs it to
 * report compliance from stored facts, the agent to decide what to install.
 *
 * Fleet-sized use compiles each baseline once ({@link compileBaseline}),
 * joins each node's facts once per scan ({@link prepareNodeFacts}) and then
 * evaluates as often as needed ({@link evaluateNode}).
 *
 * Semantics, with their sources (Systems Manager user guide unless said):
 *
 * 1. Order ("How patch baseline rules work on Linux-based systems"):
 *    GlobalFilters keep only qualifying packages, then ApprovalRules, then
 *    ApprovedPatches, then RejectedPatches. GlobalFilters therefore gate
 *    the approved list too; the rejected list wins over both rules and the
 *    approved list ("About predefined and custom patch baselines": a patch
 *    both approved and rejected is rejected).
 * 2. A rule approves a patch when every filter of its group matches (filters
 *    AND, values OR; `*` matches any value, even a missing one — CentOS
 *    Stream's repositories carry no advisories and its default baseline
 *    approves everything with CLASSIFICATION `*`). A filter on a property the
 *    patch lacks does not match. Values compare case-insensitively.
 * 3. EnableNonSecurity (same page): without it a rule only considers
 *    Debian/Ubuntu updates whose candidate comes from a security archive and
 *    RPM/SUSE updates that come with an update notice (updateinfo.xml /
 *    zypper patch: the default RHEL baseline approves Bugfix notices without
 *    EnableNonSecurity). ApprovedPatchesEnableNonSecurity is the same gate
 *    for the approved list.
 * 4. ApproveAfterDays: approved from releaseDate + N days (UTC; the API
 *    reference's example). ApproveUntilDate: approved when released on or
 *    before the end of that UTC day. A patch without a release date is
 *    approved at once under either (the user guide: without a release date
 *    or build time, the approval delay counts as zero). Matched but not yet due is
 *    PENDING_APPROVAL (it counts as not approved). Tend applies both on
 *    Debian/Ubuntu too when the backend reports release dates (Systems
 *    Manager cannot, having none; issue 5's end-to-end test needs it).
 * 5. Explicit approval (ApprovedPatches) skips the waiting period.
 * 6. Compliance level of an approved patch: the most severe of the levels of
 *    everything approving it (rules and ApprovedPatchesComplianceLevel) —
 *    Systems Manager does not document a tie-break; the most severe never
 *    under-reports.
 * 7. States ("Patch compliance state values"), one row per installed
 *    package (name, arch, version):
 *    - an approved update newer than the installed version → MISSING, or
 *      FAILED when the last Install operation failed on it;
 *    - else installed and rejected: BLOCK → INSTALLED_REJECTED (non-compliant);
 *      ALLOW_AS_DEPENDENCY → INSTALLED_OTHER (the state table counts installed
 *      rejected patches as INSTALLED_OTHER unless the action is BLOCK; the
 *      InstancePatchState reference: InstalledRejectedCount is then always 0);
 *    - else installed since the last boot while the node needs a reboot →
 *      INSTALLED_PENDING_REBOOT (see 11);
 *    - else the installed version approved by the baseline → INSTALLED,
 *      otherwise INSTALLED_OTHER.
 *    NOT_APPLICABLE is Windows-only and never produced.
 * 8. Which update: of several versions the baseline approves, the latest
 *    is used (user guide, SUSE and Amazon Linux rules) — the newest
 *    approved version, which may be older than the newest available one; it
 *    is installed as that exact version. Updates apply to the highest
 *    installed version of a name and architecture (install-only packages
 *    such as kernels keep older versions installed); an `all`/`noarch`
 *    package on either side matches any architecture.
 * 9. Only installed software is patched (an approved patch is installed
 *    only where it applies to software on the node): updates for packages
 *    that are not installed are ignored.
 * 10. InstallOverrideList replaces the baseline's choice of what to install,
 *    not the compliance evaluation (a package installed that way and not
 *    approved reports INSTALLED_OTHER, as the state table says). Rejected
 *    packages are never installed by Tend, override or not (BLOCK: never
 *    installed by patching; ALLOW_AS_DEPENDENCY: only ever pulled in as a
 *    dependency of another package, by the package manager).
 * 11. Reboot (Tend's choice; Systems Manager marks every patch its NoReboot
 *    install applied until the next reboot): a package is pending reboot
 *    when the node reports that a reboot is required and the package either
 *    is among the ones that asked for it (Debian's reboot-required.pkgs) or,
 *    when the OS does not name them, was installed after the last boot. A
 *    reboot, or the OS no longer asking for one, clears it by itself.
 * 12. Counts: CriticalNonCompliantCount counts non-compliant patches of
 *    level CRITICAL, SecurityNonCompliantCount non-compliant security
 *    patches, OtherNonCompliantCount the non-compliant ones that are
 *    neither (InstancePatchState reference).
 */

// ---------------------------------------------------------------------------
// Public shapes
// ---------------------------------------------------------------------------

export interface EvaluationOptions {
  /** The clock, epoch ms (approval delays count to it). */
  now: number;
  /**
   * InstallOverrideList: patch ids in the approved-list formats of the OS
   * (name, name.arch, name-version-release.arch, … for RPM; name or
   * name=version for Debian). When present, it alone decides `install`.
   */
  installOverride?: readonly string[] | PatchListMatcher;
  /** Packages the last Install operation failed to install: still-missing approved updates of these are FAILED. */
  failed?: readonly { name: string; arch?: string }[];
  /**
   * Which rows to build: every patch (DescribeInstancePatches), only the
   * non-compliant ones, or none (counts only, e.g. re-evaluating a fleet).
   * Counts and `install` are complete whatever this says. Default 'all'.
   */
  detail?: 'all' | 'nonCompliant' | 'none';
}

export interface NodePatchEvaluation {
  counts: PatchCounts;
  /** True when no patch is in a non-compliant state. */
  compliant: boolean;
  patches: PatchStateEntry[];
  /** Exact versions to install: the approved missing updates (or the override list's choice). */
  install: PackageToInstall[];
  /** Newer versions the baseline rejects, which the backend must not install (with BLOCK, not even as dependencies). */
  rejectedUpdates: PackageToInstall[];
  /** RejectedPatchesAction is BLOCK: the backend must keep rejected packages out of dependency resolution too. */
  blockRejected: boolean;
}

/** How a baseline regards one package version (PatchStatus of DescribeEffectivePatchesForPatchBaseline). */
export interface PatchApprovalDetails {
  approval: PatchApproval;
  complianceLevel: PatchComplianceLevel;
  /** When it was or will be approved by a rule (epoch ms); absent for explicit decisions and unknown release dates. */
  approvalDate?: number;
}

/** A package version with its patch metadata: what approval looks at. */
export type PatchSubject = PatchInfo & { name: string; arch: string; version: string };

// ---------------------------------------------------------------------------
// Compilation
// ---------------------------------------------------------------------------

const DAY_MS = 86_400_000;
// Module-local copies: an imported binding may be read through an accessor on the per-package path.
const HINT_MATCHES: number = NAME_MATCHES;
const HINT_DEPENDS_ON_VERSION: number = NAME_DEPENDS_ON_VERSION;
/** Bound of the per-name and per-value memos of a compiled baseline (they stay small in practice: names and vocabularies repeat). */
const MEMO_LIMIT = 200_000;

const LEVELS: readonly PatchComplianceLevel[] = ['UNSPECIFIED', 'INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
const LEVEL_RANK: Readonly<Record<PatchComplianceLevel, number>> = {
  UNSPECIFIED: 0,
  INFORMATIONAL: 1,
  LOW: 2,
  MEDIUM: 3,
  HIGH: 4,
  CRITICAL: 5,
};

/**
 * Approval is returned from the hot path as one small integer, status × 8 +
 * level rank, so that evaluating millions of packages allocates nothing.
 */
const NOT_APPROVED = 0;
const PENDING = 1;
const APPROVED = 2;
const EXPLICIT_APPROVED = 3;
const EXPLICIT_REJECTED = 4;
const STATUS_NAMES: readonly PatchApproval[] = ['NOT_APPROVED', 'PENDING_APPROVAL', 'APPROVED', 'EXPLICIT_APPROVED', 'EXPLICIT_REJECTED'];
const statusOf = (code: number) => code >> 3;
const levelOf = (code: number) => LEVELS[code & 7]!;
const isApprovedCode = (code: number) => statusOf(code) === APPROVED || statusOf(code) === EXPLICIT_APPROVED;

type SubjectTest = (p: PatchSubject) => boolean;

interface CompiledRule {
  product: (product: string) => boolean;
  tests: SubjectTest[];
  levelRank: number;
  /** ApproveAfterDays in ms, or undefined. */
  delayMs: number | undefined;
  /** End of the ApproveUntilDate day, or undefined. */
  untilMs: number | undefined;
  nonSecurity: boolean;
}

/** The rules and global filters that apply to one PRODUCT, resolved once per product. */
interface ProductView {
  global: boolean;
  rules: CompiledRule[];
}

/**
 * A baseline compiled into matchers: filter values into sets, patch lists
 * into name indexes, ApproveUntilDate into a timestamp. Its answers never
 * change (it only memoizes what it has worked out); share it across every
 * node that uses the baseline.
 */
export class CompiledBaseline {
  readonly operatingSystem: NonNullable<PatchBaselineRules['OperatingSystem']>;
  readonly format: PackageFormat;
  readonly compare: VersionComparator;
  readonly blockRejected: boolean;
  /** undefined when the list is empty, so the hot path tests one field. */
  private readonly approvedList: PatchListMatcher | undefined;
  private readonly rejectedList: PatchListMatcher | undefined;
  private readonly deb: boolean;
  private readonly approvedLevelRank: number;
  private readonly approvedNonSecurity: boolean;
  private readonly globalProduct: (product: string) => boolean;
  private readonly globalTests: SubjectTest[];
  private readonly rules: CompiledRule[];
  private readonly byProduct = new Map<string, ProductView>();
  /** Per package name: the rejected list's hint in bits 0–1, the approved list's in bits 2–3 (names repeat across a fleet). */
  private readonly listHints = new Map<string, number>();

  constructor(baseline: PatchBaselineRules) {
    this.operatingSystem = baseline.OperatingSystem ?? 'WINDOWS';
    const format = packageFormatOf(this.operatingSystem);
    if (!format) throw new Error(`Tend evaluates Linux baselines only, not ${this.operatingSystem}`);
    this.format = format;
    this.compare = versionComparator(format);
    this.blockRejected = baseline.RejectedPatchesAction === 'BLOCK';
    this.deb = format === 'deb';
    const approved = compilePatchList(format, baseline.ApprovedPatches);
    const rejected = compilePatchList(format, baseline.RejectedPatches);
    this.approvedList = approved.empty ? undefined : approved;
    this.rejectedList = rejected.empty ? undefined : rejected;
    this.approvedLevelRank = LEVEL_RANK[baseline.ApprovedPatchesComplianceLevel ?? 'UNSPECIFIED'];
    this.approvedNonSecurity = baseline.ApprovedPatchesEnableNonSecurity === true;

    const global = compileGroup(baseline.GlobalFilters?.PatchFilters ?? []);
    this.globalProduct = global.product;
    this.globalTests = global.tests;

    this.rules = (baseline.ApprovalRules?.PatchRules ?? []).map((rule): CompiledRule => {
      const group = compileGroup(rule.PatchFilterGroup?.PatchFilters ?? []);
      const until = rule.ApproveUntilDate !== undefined ? parseApproveUntilDate(rule.ApproveUntilDate) : undefined;
      return {
        product: group.product,
        tests: group.tests,
        levelRank: LEVEL_RANK[rule.ComplianceLevel ?? 'UNSPECIFIED'],
        delayMs: rule.ApproveUntilDate === undefined ? (rule.ApproveAfterDays ?? 0) * DAY_MS : undefined,
        // An unparseable date approves nothing rather than everything (validation rejects it first).
        untilMs: rule.ApproveUntilDate !== undefined ? (until ?? -Infinity) : undefined,
        nonSecurity: rule.EnableNonSecurity === true,
      };
    });
  }

  /** The global filters' and rules' PRODUCT filters resolved for one product; cached, products repeat across a fleet. */
  viewFor(product: string): ProductView {
    let view = this.byProduct.get(product);
    if (!view) {
      view = { global: this.globalProduct(product), rules: this.rules.filter((r) => r.product(product)) };
      this.byProduct.set(product, view);
    }
    return view;
  }

  /**
   * The approval code of one package version (status × 8 + level rank).
   * The hot path of evaluation: no allocation.
   */
  approvalCode(p: PatchSubject, view: ProductView, now: number): number {
    const rejected = this.rejectedList;
    const approved = this.approvedList;
    const hints = rejected !== undefined || approved !== undefined ? this.listHint(p.name) : 0;
    if (rejected !== undefined && listMatches(rejected, hints & 3, p)) return EXPLICIT_REJECTED * 8;
    if (!view.global) return NOT_APPROVED * 8;
    const tests = this.globalTests;
    for (let k = 0; k < tests.length; k++) if (!tests[k]!(p)) return NOT_APPROVED * 8;

    const inScope = this.inSecurityScope(p);
    let status = NOT_APPROVED;
    let rank = 0;
    if (approved !== undefined && (inScope || this.approvedNonSecurity) && listMatches(approved, hints >> 2, p)) {
      status = EXPLICIT_APPROVED;
      rank = this.approvedLevelRank;
    }
    const rules = view.rules;
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r]!;
      if (!inScope && !rule.nonSecurity) continue;
      if (!matchesAll(rule.tests, p)) continue;
      if (ruleDue(rule, p.releaseDate, now)) {
        if (status !== EXPLICIT_APPROVED) status = APPROVED;
        if (rule.levelRank > rank) rank = rule.levelRank;
      } else if (status === NOT_APPROVED && rule.untilMs === undefined) {
        // Only a delay can still come due; a version released after ApproveUntilDate never will.
        status = PENDING;
      }
    }
    return status * 8 + (status === APPROVED || status === EXPLICIT_APPROVED ? rank : 0);
  }

  private listHint(name: string): number {
    let bits = this.listHints.get(name);
    if (bits === undefined) {
      bits = (this.rejectedList?.nameHint(name) ?? 0) | ((this.approvedList?.nameHint(name) ?? 0) << 2);
      if (this.listHints.size < MEMO_LIMIT) this.listHints.set(name, bits);
    }
    return bits;
  }

  /** How the baseline regards one package version on a node of this product (for DescribeEffectivePatchesForPatchBaseline). */
  approvalDetails(p: PatchSubject, product: string, now: number): PatchApprovalDetails {
    const view = this.viewFor(product);
    const code = this.approvalCode(p, view, now);
    const details: PatchApprovalDetails = { approval: STATUS_NAMES[statusOf(code)]!, complianceLevel: levelOf(code) };
    const status = statusOf(code);
    if ((status === APPROVED || status === PENDING) && p.releaseDate !== undefined) {
      const inScope = this.inSecurityScope(p);
      let earliest = Infinity;
      for (const rule of view.rules) {
        if ((!inScope && !rule.nonSecurity) || !matchesAll(rule.tests, p) || rule.delayMs === undefined) continue;
        earliest = Math.min(earliest, p.releaseDate + rule.delayMs);
      }
      if (earliest !== Infinity) details.approvalDate = earliest;
    }
    return details;
  }

  /**
   * Whether a rule without EnableNonSecurity may consider the package:
   * Debian/Ubuntu a security-archive candidate, RPM/SUSE an update notice.
   */
  inSecurityScope(p: PatchInfo): boolean {
    if (this.deb) return p.security === true;
    return p.security === true || p.classification !== undefined || (p.advisoryIds !== undefined && p.advisoryIds.length > 0);
  }
}

/** Compiles a baseline for evaluation; throws for Windows and macOS, which Tend does not patch. */
export function compileBaseline(baseline: PatchBaselineRules): CompiledBaseline {
  return new CompiledBaseline(baseline);
}

/** A list's verdict given its name hint: the full test only when the version decides, the ids only when the list has some. */
function listMatches(list: PatchListMatcher, hint: number, p: PatchSubject): boolean {
  if (hint === HINT_MATCHES) return true;
  if (hint === HINT_DEPENDS_ON_VERSION) return list.matches(p);
  return list.hasIds && list.matchesIds(p);
}

function ruleDue(rule: CompiledRule, releaseDate: number | undefined, now: number): boolean {
  if (releaseDate === undefined) return true;
  if (rule.untilMs !== undefined) return releaseDate <= rule.untilMs;
  return now >= releaseDate + rule.delayMs!;
}

function matchesAll(tests: SubjectTest[], p: PatchSubject): boolean {
  for (let k = 0; k < tests.length; k++) if (!tests[k]!(p)) return false;
  return true;
}

/** Splits a filter group into its PRODUCT test (node level) and the per-package tests. */
function compileGroup(filters: readonly PatchFilter[]): { product: (product: string) => boolean; tests: SubjectTest[] } {
  const productTests: ((product: string) => boolean)[] = [];
  const tests: SubjectTest[] = [];
  for (const filter of filters) {
    const values = compileValues(filter.Values);
    if (filter.Key === 'PRODUCT') {
      productTests.push((product) => values(product));
      continue;
    }
    if (values === ANY) continue; // `*` constrains nothing, not even presence.
    tests.push(subjectTest(filter.Key, values));
  }
  return {
    product: (product) => productTests.every((t) => t(product)),
    tests,
  };
}

type ValueTest = (value: string | undefined) => boolean;
const ANY: ValueTest = () => true;
const NONE: ValueTest = () => false;

/**
 * Filter values to a test: `*` anything; otherwise exact, case-insensitive.
 * The answer is remembered per value seen: priorities, sections,
 * classifications and severities are small vocabularies repeated on every
 * package, so this is one map lookup instead of lower-casing each time.
 */
function compileValues(values: readonly string[]): ValueTest {
  if (values.includes('*')) return ANY;
  if (values.length === 0) return NONE;
  const set = new Set(values.map((v) => v.toLowerCase()));
  const seen = new Map<string, boolean>();
  return (value) => {
    if (value === undefined) return false;
    let hit = seen.get(value);
    if (hit === undefined) {
      hit = set.has(value.toLowerCase());
      if (seen.size < MEMO_LIMIT) seen.set(value, hit);
    }
    return hit;
  };
}

function anyValue(values: readonly string[] | undefined, test: ValueTest): boolean {
  if (!values) return false;
  for (const v of values) if (test(v)) return true;
  return false;
}

/**
 * The per-package test of one filter key. Baselines use CLASSIFICATION,
 * SEVERITY, PRIORITY and SECTION; the other keys are what
 * DescribeAvailablePatches filters on, so the server can reuse this for
 * its catalog. EPOCH, VERSION and RELEASE are parts of the version.
 */
function subjectTest(key: PatchFilterKey, values: ValueTest): SubjectTest {
  switch (key) {
    case 'CLASSIFICATION':
      return (p) => values(p.classification);
    case 'SEVERITY':
      return (p) => values(p.severity);
    case 'PRIORITY':
      return (p) => values(p.priority);
    case 'SECTION':
      return (p) => values(p.section);
    case 'NAME':
      return (p) => values(p.name);
    case 'ARCH':
      return (p) => values(p.arch);
    case 'REPOSITORY':
      return (p) => values(p.repository);
    case 'CVE_ID':
      return (p) => anyValue(p.cveIds, values);
    case 'ADVISORY_ID':
      return (p) => anyValue(p.advisoryIds, values);
    case 'BUGZILLA_ID':
      return (p) => anyValue(p.bugzillaIds, values);
    case 'SECURITY':
      return (p) => values(isSecurityPatch(p) ? 'true' : 'false');
    case 'EPOCH':
      return (p) => values(versionParts(p.version).epoch);
    case 'VERSION':
      return (p) => values(versionParts(p.version).version);
    case 'RELEASE':
      return (p) => values(versionParts(p.version).release);
    default:
      // Windows keys (PATCH_SET, PRODUCT_FAMILY, MSRC_SEVERITY, PATCH_ID) describe no Linux package.
      return () => false;
  }
}

function versionParts(full: string): { epoch: string; version: string; release: string | undefined } {
  const colon = full.indexOf(':');
  const epoch = colon > 0 ? full.slice(0, colon) : '0';
  const rest = colon > 0 ? full.slice(colon + 1) : full;
  const hyphen = rest.lastIndexOf('-');
  return hyphen >= 0
    ? { epoch, version: rest.slice(0, hyphen), release: rest.slice(hyphen + 1) }
    : { epoch, version: rest, release: undefined };
}

/** A security fix: the backend says so, or its advisory is classified Security. */
export function isSecurityPatch(p: PatchInfo): boolean {
  if (p.security !== undefined) return p.security;
  return p.classification !== undefined && p.classification.toLowerCase() === 'security';
}

// ---------------------------------------------------------------------------
// Evaluation of one node
// ---------------------------------------------------------------------------

export function emptyPatchCounts(): PatchCounts {
  return {
    InstalledCount: 0,
    InstalledOtherCount: 0,
    InstalledPendingRebootCount: 0,
    InstalledRejectedCount: 0,
    MissingCount: 0,
    FailedCount: 0,
    NotApplicableCount: 0,
    CriticalNonCompliantCount: 0,
    SecurityNonCompliantCount: 0,
    OtherNonCompliantCount: 0,
  };
}

function archesMatch(updateArch: string, installedArch: string): boolean {
  return (
    updateArch === installedArch ||
    updateArch === 'all' ||
    updateArch === 'noarch' ||
    installedArch === 'all' ||
    installedArch === 'noarch'
  );
}

// Internal states, indexes into STATE_NAMES; counted as integers, named only when a row is built.
const S_INSTALLED = 0;
const S_OTHER = 1;
const S_PENDING_REBOOT = 2;
const S_REJECTED = 3;
const S_MISSING = 4;
const S_FAILED = 5;
const STATE_NAMES: readonly PatchState[] = [
  'INSTALLED',
  'INSTALLED_OTHER',
  'INSTALLED_PENDING_REBOOT',
  'INSTALLED_REJECTED',
  'MISSING',
  'FAILED',
];
const DETAIL_NONE = 0;
const DETAIL_NON_COMPLIANT = 1;
const DETAIL_ALL = 2;

/**
 * The state of one node's evaluation. A class rather than closures so that
 * V8 sees one shape and monomorphic calls on the per-package path.
 */
class NodeEvaluator {
  readonly byState = [0, 0, 0, 0, 0, 0];
  critical = 0;
  security = 0;
  other = 0;
  readonly patches: PatchStateEntry[] = [];
  readonly install: PackageToInstall[] = [];
  readonly rejectedUpdates: PackageToInstall[] = [];
  private readonly view: ProductView;
  private readonly detail: number;
  private readonly rebootRequired: boolean;
  private readonly rebootPackages: Set<string> | undefined;
  private readonly lastBoot: number;
  private readonly failed: Set<string> | undefined;
  private readonly override: PatchListMatcher | undefined;

  constructor(
    private readonly baseline: CompiledBaseline,
    facts: NodePackageFacts,
    private readonly now: number,
    options: EvaluationOptions,
  ) {
    this.view = baseline.viewFor(facts.product);
    const detail = options.detail ?? 'all';
    this.detail = detail === 'all' ? DETAIL_ALL : detail === 'nonCompliant' ? DETAIL_NON_COMPLIANT : DETAIL_NONE;
    const reboot = facts.reboot;
    this.rebootRequired = reboot?.required === true;
    this.rebootPackages = this.rebootRequired && reboot!.packages ? new Set(reboot!.packages) : undefined;
    // Without a boot time nothing can be known to be installed since the boot.
    this.lastBoot = reboot?.lastBootTime ?? Infinity;
    if (options.failed && options.failed.length > 0) {
      this.failed = new Set();
      for (const f of options.failed) this.failed.add(f.arch === undefined ? f.name : `${f.name}\0${f.arch}`);
    }
    const override = options.installOverride;
    this.override =
      override === undefined
        ? undefined
        : isPatchListMatcher(override)
          ? override
          : compilePatchList(baseline.format, override);
  }

  private pendingReboot(p: InstalledPackage): boolean {
    if (!this.rebootRequired) return false;
    if (this.rebootPackages !== undefined) return this.rebootPackages.has(p.name);
    return p.installedTime !== undefined && p.installedTime > this.lastBoot;
  }

  private record(state: number, code: number, installed: InstalledPackage, update: AvailableUpdate | undefined): void {
    this.byState[state]!++;
    const compliant = state <= S_OTHER;
    const patch: PatchInfo = update ?? installed;
    const security = isSecurityPatch(patch);
    const critical = (code & 7) === LEVEL_RANK.CRITICAL;
    if (!compliant) {
      if (critical) this.critical++;
      if (security) this.security++;
      if (!critical && !security) this.other++;
    }
    if (this.detail === DETAIL_ALL || (this.detail === DETAIL_NON_COMPLIANT && !compliant)) {
      this.patches.push({
        state: STATE_NAMES[state]!,
        approval: STATUS_NAMES[statusOf(code)]!,
        complianceLevel: levelOf(code),
        security,
        installed,
        update,
      });
    }
  }

  /** An installed package with no approved update to install. */
  recordInstalled(p: InstalledPackage): void {
    const code = this.baseline.approvalCode(p, this.view, this.now);
    let state: number;
    if (code === EXPLICIT_REJECTED * 8 && this.baseline.blockRejected) state = S_REJECTED;
    else if (this.pendingReboot(p)) state = S_PENDING_REBOOT;
    else state = isApprovedCode(code) ? S_INSTALLED : S_OTHER;
    this.record(state, code, p, undefined);
  }

  /** An installed package with candidate updates (newer versions for its architecture, see {@link prepareNodeFacts}). */
  recordWithUpdates(p: InstalledPackage, candidates: readonly AvailableUpdate[]): void {
    const baseline = this.baseline;
    const compare = baseline.compare;
    let best: AvailableUpdate | undefined;
    let bestCode = 0;
    let chosen: AvailableUpdate | undefined;
    for (const u of candidates) {
      const code = baseline.approvalCode(u, this.view, this.now);
      if (code === EXPLICIT_REJECTED * 8) {
        this.rejectedUpdates.push({ name: u.name, arch: u.arch, version: u.version });
        continue;
      }
      if (isApprovedCode(code) && (best === undefined || compare(u.version, best.version) > 0)) {
        best = u;
        bestCode = code;
      }
      if (this.override !== undefined && this.override.matches(u) && (chosen === undefined || compare(u.version, chosen.version) > 0)) {
        chosen = u;
      }
    }
    if (this.override === undefined) chosen = best;
    if (chosen !== undefined) this.install.push({ name: chosen.name, arch: chosen.arch, version: chosen.version });
    if (best === undefined) {
      this.recordInstalled(p);
      return;
    }
    const failed = this.failed !== undefined && (this.failed.has(p.name) || this.failed.has(`${p.name}\0${p.arch}`));
    this.record(failed ? S_FAILED : S_MISSING, bestCode, p, best);
  }

  result(): NodePatchEvaluation {
    const s = this.byState;
    const counts: PatchCounts = {
      InstalledCount: s[S_INSTALLED]!,
      InstalledOtherCount: s[S_OTHER]!,
      InstalledPendingRebootCount: s[S_PENDING_REBOOT]!,
      InstalledRejectedCount: s[S_REJECTED]!,
      MissingCount: s[S_MISSING]!,
      FailedCount: s[S_FAILED]!,
      NotApplicableCount: 0,
      CriticalNonCompliantCount: this.critical,
      SecurityNonCompliantCount: this.security,
      OtherNonCompliantCount: this.other,
    };
    const compliant = s[S_PENDING_REBOOT]! + s[S_REJECTED]! + s[S_MISSING]! + s[S_FAILED]! === 0;
    return {
      counts,
      compliant,
      patches: this.patches,
      install: this.install,
      rejectedUpdates: this.rejectedUpdates,
      blockRejected: this.baseline.blockRejected,
    };
  }
}

function isPatchListMatcher(x: readonly string[] | PatchListMatcher): x is PatchListMatcher {
  return !Array.isArray(x);
}

/**
 * A node's facts joined once for any number of evaluations: each installed
 * package with its candidate updates (newer versions for its architecture).
 * The join is a map lookup per installed package, the largest part of an
 * evaluation's cost; a server that re-evaluates stored facts (a baseline
 * changed, an approval delay came due) prepares them once per scan, not
 * once per evaluation.
 */
export interface PreparedNodeFacts {
  readonly facts: NodePackageFacts;
  /** Parallel to `facts.installed`: the candidate updates of each package, or undefined (most packages). */
  readonly candidates: readonly (readonly AvailableUpdate[] | undefined)[];
}

/**
 * Joins a node's updates to its installed packages. Updates apply to the
 * highest installed version of a name and architecture (install-only
 * packages such as kernels keep older versions installed); an update is a
 * candidate when it is newer in the package manager's order and of the same
 * architecture, or either side is `all`/`noarch`. Updates of packages that
 * are not installed are dropped.
 */
export function prepareNodeFacts(facts: NodePackageFacts): PreparedNodeFacts {
  const installed = facts.installed;
  const candidates: (AvailableUpdate[] | undefined)[] = new Array(installed.length).fill(undefined);
  if (facts.updates.length === 0) return { facts, candidates };
  const format = packageFormatOf(facts.operatingSystem);
  if (!format) throw new Error(`Tend evaluates Linux nodes only, not ${facts.operatingSystem}`);
  const compare = versionComparator(format);

  const updatesByName = new Map<string, AvailableUpdate[]>();
  for (const u of facts.updates) {
    const list = updatesByName.get(u.name);
    if (list) list.push(u);
    else updatesByName.set(u.name, [u]);
  }
  // The highest installed version of each name and architecture that has updates.
  const highest = new Map<string, number>();
  for (let k = 0; k < installed.length; k++) {
    const p = installed[k]!;
    if (!updatesByName.has(p.name)) continue;
    const key = `${p.name}\0${p.arch}`;
    const seen = highest.get(key);
    if (seen === undefined || compare(p.version, installed[seen]!.version) > 0) highest.set(key, k);
  }
  for (const k of highest.values()) {
    const p = installed[k]!;
    const newer = updatesByName.get(p.name)!.filter((u) => archesMatch(u.arch, p.arch) && compare(u.version, p.version) > 0);
    if (newer.length > 0) candidates[k] = newer;
  }
  return { facts, candidates };
}

function isPrepared(facts: NodePackageFacts | PreparedNodeFacts): facts is PreparedNodeFacts {
  return (facts as PreparedNodeFacts).candidates !== undefined;
}

/**
 * Evaluates one node against a compiled baseline. Takes the node's facts
 * as reported, or prepared once with {@link prepareNodeFacts} when the same
 * facts are evaluated again and again. The node's OperatingSystem is not
 * checked against the baseline's: choosing the baseline (patch group,
 * default per OS) is the caller's business.
 */
export function evaluateNode(
  baseline: CompiledBaseline,
  facts: NodePackageFacts | PreparedNodeFacts,
  options: EvaluationOptions,
): NodePatchEvaluation {
  const prepared = isPrepared(facts) ? facts : prepareNodeFacts(facts);
  const ev = new NodeEvaluator(baseline, prepared.facts, options.now, options);
  const installed = prepared.facts.installed;
  const candidates = prepared.candidates;
  for (let k = 0; k < installed.length; k++) {
    const updates = candidates[k];
    if (updates === undefined) ev.recordInstalled(installed[k]!);
    else ev.recordWithUpdates(installed[k]!, updates);
  }
  return ev.result();
}

/** Compiles and evaluates in one call: for the agent's single node. Fleets compile once and call {@link evaluateNode}. */
export function evaluateBaseline(
  facts: NodePackageFacts | PreparedNodeFacts,
  baseline: PatchBaselineRules,
  options: EvaluationOptions,
): NodePatchEvaluation {
  return evaluateNode(compileBaseline(baseline), facts, options);
}
