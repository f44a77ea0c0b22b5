import {
  OPERATING_SYSTEMS,
  PATCH_ACTIONS,
  PATCH_COMPLIANCE_LEVELS,
  PATCH_FILTER_KEYS,
  packageFormatOf,
  type OperatingSystem,
  type PatchBaselineRules,
  type PatchFilterKey,
} from './patch-model.js';
import { patternProblem } from './patch-name-patterns.js';

/**
 * Which patch filter keys and values a baseline may use for each operating
 * system, and the validation of a whole baseline against them.
 *
 * Sources (facts only): the DescribePatchProperties reference (valid
 * properties per OS: DEBIAN/UBUNTU PRODUCT | PRIORITY, the RPM family and
 * SUSE PRODUCT | CLASSIFICATION | SEVERITY), the PatchFilter reference
 * (SECTION for Debian/Ubuntu, checked only for length 1–64; the
 * CLASSIFICATION and SEVERITY value lists; `*` matches every value), the user
 * guide's "How patch baseline rules work on Linux-based systems" (Debian and
 * Ubuntu filter on Priority and Section), and the API reference limits
 * (PatchFilterGroup ≤ 4 filters, Values 1–20 of 1–64 characters,
 * PatchRuleGroup ≤ 10 rules, ApproveAfterDays 0–360, ApprovedPatches and
 * RejectedPatches ≤ 50 of 1–100 characters, Sources ≤ 20).
 */

/** A value check: an enumeration (compared case-insensitively) or a predicate with its description. */
type ValueRule = { kind: 'enum'; values: readonly string[] } | { kind: 'check'; test: (v: string) => boolean; describe: string };

export interface OperatingSystemPatchProperties {
  /** Filter keys valid in GlobalFilters and approval rules. */
  keys: readonly PatchFilterKey[];
  /** How PRODUCT values are spelled for this OS (besides `*`), e.g. `Ubuntu22.04`. */
  product: RegExp;
  values: Partial<Record<PatchFilterKey, ValueRule>>;
}

const debianPriorities = { kind: 'enum', values: ['Required', 'Important', 'Standard', 'Optional', 'Extra'] } as const;
const debianSection = { kind: 'check', test: (v: string) => v.length >= 1 && v.length <= 64, describe: '1 to 64 characters' } as const;
/** Advisory types of updateinfo.xml as the RPM-family baselines spell them. */
const rpmClassifications = { kind: 'enum', values: ['Security', 'Bugfix', 'Enhancement', 'Recommended', 'Newpackage'] } as const;
/** Amazon Linux spells the third level Medium. */
const amazonSeverities = { kind: 'enum', values: ['Critical', 'Important', 'Medium', 'Low'] } as const;
/** Red Hat's advisories say Moderate; the older PatchFilter reference listed Medium for RHEL, so both are accepted. */
const redHatSeverities = { kind: 'enum', values: ['Critical', 'Important', 'Moderate', 'Medium', 'Low'] } as const;
const suseClassifications = { kind: 'enum', values: ['Security', 'Recommended', 'Optional', 'Feature', 'Document', 'Yast'] } as const;
const suseSeverities = { kind: 'enum', values: ['Critical', 'Important', 'Moderate', 'Low'] } as const;

const RPM_KEYS = ['PRODUCT', 'CLASSIFICATION', 'SEVERITY'] as const satisfies readonly PatchFilterKey[];
const DEB_KEYS = ['PRODUCT', 'PRIORITY', 'SECTION'] as const satisfies readonly PatchFilterKey[];

function rpmFamily(product: RegExp, severities: ValueRule): OperatingSystemPatchProperties {
  return { keys: RPM_KEYS, product, values: { CLASSIFICATION: rpmClassifications, SEVERITY: severities } };
}

function debFamily(product: RegExp): OperatingSystemPatchProperties {
  return { keys: DEB_KEYS, product, values: { PRIORITY: debianPriorities, SECTION: debianSection } };
}

/**
 * The valid filter keys and values per operating system. PRODUCT values are
 * checked by their spelling (OS name and version) rather than a fixed list,
 * so a release newer than this table is still accepted.
 */
export const PATCH_PROPERTIES: Readonly<Record<OperatingSystem, OperatingSystemPatchProperties>> = {
  DEBIAN: debFamily(/^Debian\d+$/),
  RASPBIAN: debFamily(/^Raspbian\d+$/),
  UBUNTU: debFamily(/^Ubuntu\d{2}\.\d{2}$/),
  REDHAT_ENTERPRISE_LINUX: rpmFamily(/^RedhatEnterpriseLinux\d+(\.\d+)?$/, redHatSeverities),
  ROCKY_LINUX: rpmFamily(/^RockyLinux\d+(\.\d+)?$/, redHatSeverities),
  ALMA_LINUX: rpmFamily(/^AlmaLinux\d+(\.\d+)?$/, redHatSeverities),
  CENTOS: rpmFamily(/^CentOS(Stream)?\d+(\.\d+)?$/, redHatSeverities),
  ORACLE_LINUX: rpmFamily(/^OracleLinux\d+(\.\d+)?$/, redHatSeverities),
  AMAZON_LINUX: rpmFamily(/^AmazonLinux20\d\d\.\d\d$/, amazonSeverities),
  AMAZON_LINUX_2: rpmFamily(/^AmazonLinux2(\.0)?$/, amazonSeverities),
  AMAZON_LINUX_2022: rpmFamily(/^AmazonLinux2022$/, amazonSeverities),
  AMAZON_LINUX_2023: rpmFamily(/^AmazonLinux2023$/, amazonSeverities),
  SUSE: {
    keys: RPM_KEYS,
    product: /^Suse\d+(\.\d+)?$/,
    values: { CLASSIFICATION: suseClassifications, SEVERITY: suseSeverities },
  },
  // Tend has no macOS or Windows backend: the keys are checked so such a baseline round-trips, the values are free.
  MACOS: {
    keys: ['PRODUCT', 'CLASSIFICATION'],
    product: /^.+$/,
    values: {},
  },
  WINDOWS: {
    keys: ['PATCH_SET', 'PRODUCT', 'PRODUCT_FAMILY', 'CLASSIFICATION', 'MSRC_SEVERITY'],
    product: /^.+$/,
    values: {},
  },
};

/** The filter keys a baseline for this OS may use (DescribePatchProperties' "valid properties", plus SECTION for Debian/Ubuntu). */
export function validPatchFilterKeys(os: OperatingSystem): readonly PatchFilterKey[] {
  return PATCH_PROPERTIES[os].keys;
}

/** The enumerated values of a key for an OS (DescribePatchProperties' answer), or undefined when the key is free-form or invalid. */
export function knownPatchFilterValues(os: OperatingSystem, key: PatchFilterKey): readonly string[] | undefined {
  const rule = PATCH_PROPERTIES[os].values[key];
  return rule?.kind === 'enum' ? rule.values : undefined;
}

/** One problem in a baseline: where (Systems Manager's member path) and what. */
export interface PatchBaselineProblem {
  /** e.g. `approvalRules.patchRules.1.member.patchFilterGroup.patchFilters.2.member.values` (1-based, as Systems Manager reports). */
  path: string;
  message: string;
}

export const PATCH_LIMITS = {
  filtersPerGroup: 4,
  valuesPerFilter: 20,
  valueLength: 64,
  rulesPerGroup: 10,
  approveAfterDaysMax: 360,
  patchesPerList: 50,
  patchLength: 100,
  sources: 20,
  sourceConfigurationLength: 1024,
} as const;

const APPROVE_UNTIL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const SOURCE_NAME = /^[a-zA-Z0-9_\-.]{3,50}$/;

/**
 * Checks a baseline (Create/UpdatePatchBaseline body or a BaselineOverride)
 * against its operating system's rules. An empty array means valid; the
 * server turns a non-empty one into a ValidationException with
 * {@link formatPatchBaselineProblems}.
 */
export function validatePatchBaseline(baseline: PatchBaselineRules): PatchBaselineProblem[] {
  const problems: PatchBaselineProblem[] = [];
  const os: OperatingSystem = baseline.OperatingSystem ?? 'WINDOWS';
  if (!(OPERATING_SYSTEMS as readonly string[]).includes(os)) {
    problems.push({ path: 'operatingSystem', message: `Value '${os}' failed to satisfy constraint: Member must satisfy enum value set: [${OPERATING_SYSTEMS.join(', ')}]` });
    return problems;
  }

  if (baseline.GlobalFilters) checkFilterGroup(os, baseline.GlobalFilters.PatchFilters, 'globalFilters.patchFilters', problems);

  const rules = baseline.ApprovalRules?.PatchRules ?? [];
  if (rules.length > PATCH_LIMITS.rulesPerGroup) {
    problems.push({ path: 'approvalRules.patchRules', message: `Member must have length less than or equal to ${PATCH_LIMITS.rulesPerGroup}` });
  }
  rules.forEach((rule, r) => {
    const at = `approvalRules.patchRules.${r + 1}.member`;
    checkFilterGroup(os, rule.PatchFilterGroup?.PatchFilters, `${at}.patchFilterGroup.patchFilters`, problems);
    if (rule.ComplianceLevel !== undefined && !(PATCH_COMPLIANCE_LEVELS as readonly string[]).includes(rule.ComplianceLevel)) {
      problems.push({ path: `${at}.complianceLevel`, message: `Value '${rule.ComplianceLevel}' failed to satisfy constraint: Member must satisfy enum value set: [${PATCH_COMPLIANCE_LEVELS.join(', ')}]` });
    }
    const hasDays = rule.ApproveAfterDays !== undefined;
    const hasDate = rule.ApproveUntilDate !== undefined;
    if (hasDays && hasDate) {
      problems.push({ path: at, message: 'A patch rule can have either ApproveAfterDays or ApproveUntilDate, not both' });
    } else if (!hasDays && !hasDate) {
      problems.push({ path: at, message: 'A patch rule must have ApproveAfterDays or ApproveUntilDate' });
    }
    if (hasDays) {
      const days = rule.ApproveAfterDays!;
      if (!Number.isInteger(days) || days < 0 || days > PATCH_LIMITS.approveAfterDaysMax) {
        problems.push({ path: `${at}.approveAfterDays`, message: `Value '${days}' failed to satisfy constraint: Member must be an integer from 0 to ${PATCH_LIMITS.approveAfterDaysMax}` });
      }
    }
    if (hasDate && parseApproveUntilDate(rule.ApproveUntilDate!) === undefined) {
      problems.push({ path: `${at}.approveUntilDate`, message: `Value '${rule.ApproveUntilDate}' is not a valid date in the format YYYY-MM-DD` });
    }
  });

  checkPatchList(os, baseline.ApprovedPatches, 'approvedPatches', 'approved', problems);
  checkPatchList(os, baseline.RejectedPatches, 'rejectedPatches', 'rejected', problems);

  if (baseline.ApprovedPatchesComplianceLevel !== undefined && !(PATCH_COMPLIANCE_LEVELS as readonly string[]).includes(baseline.ApprovedPatchesComplianceLevel)) {
    problems.push({ path: 'approvedPatchesComplianceLevel', message: `Value '${baseline.ApprovedPatchesComplianceLevel}' failed to satisfy constraint: Member must satisfy enum value set: [${PATCH_COMPLIANCE_LEVELS.join(', ')}]` });
  }
  if (baseline.RejectedPatchesAction !== undefined && !(PATCH_ACTIONS as readonly string[]).includes(baseline.RejectedPatchesAction)) {
    problems.push({ path: 'rejectedPatchesAction', message: `Value '${baseline.RejectedPatchesAction}' failed to satisfy constraint: Member must satisfy enum value set: [${PATCH_ACTIONS.join(', ')}]` });
  }

  const sources = baseline.Sources ?? [];
  if (sources.length > 0 && os === 'WINDOWS') {
    problems.push({ path: 'sources', message: 'Sources apply to Linux operating systems only' });
  }
  if (sources.length > PATCH_LIMITS.sources) {
    problems.push({ path: 'sources', message: `Member must have length less than or equal to ${PATCH_LIMITS.sources}` });
  }
  const product = PATCH_PROPERTIES[os].product;
  const sourceNames = new Set<string>();
  sources.forEach((source, s) => {
    const at = `sources.${s + 1}.member`;
    if (!SOURCE_NAME.test(source.Name)) {
      problems.push({ path: `${at}.name`, message: `Value '${source.Name}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-.]{3,50}$` });
    } else if (sourceNames.has(source.Name)) {
      problems.push({ path: `${at}.name`, message: `Source name '${source.Name}' is used more than once` });
    }
    sourceNames.add(source.Name);
    if (source.Products.length < 1 || source.Products.length > 20) {
      problems.push({ path: `${at}.products`, message: 'Member must have length between 1 and 20' });
    }
    for (const p of source.Products) {
      if (p !== '*' && !product.test(p)) problems.push({ path: `${at}.products`, message: `'${p}' is not a valid product for operating system ${os}` });
    }
    if (source.Configuration.length < 1 || source.Configuration.length > PATCH_LIMITS.sourceConfigurationLength) {
      problems.push({ path: `${at}.configuration`, message: `Member must have length between 1 and ${PATCH_LIMITS.sourceConfigurationLength}` });
    }
  });
  return problems;
}

/** Systems Manager's ValidationException message: "2 validation errors detected: Value … at '…' …; …". */
export function formatPatchBaselineProblems(problems: readonly PatchBaselineProblem[]): string {
  const n = problems.length;
  const list = problems.map((p) => `${p.message} (at '${p.path}')`).join('; ');
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${list}`;
}

/**
 * Parses ApproveUntilDate (YYYY-MM-DD) to the last millisecond of that UTC
 * day: the API reference says patches released any time on that day are
 * included. undefined when the text is not a real calendar date.
 */
export function parseApproveUntilDate(text: string): number | undefined {
  const m = APPROVE_UNTIL_DATE.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const start = Date.UTC(y, mo - 1, d);
  const check = new Date(start);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return undefined;
  return start + 86_400_000 - 1;
}

function checkFilterGroup(
  os: OperatingSystem,
  filters: readonly { Key: string; Values: readonly string[] }[] | undefined,
  at: string,
  problems: PatchBaselineProblem[],
): void {
  if (filters === undefined) {
    problems.push({ path: at, message: 'Member must not be null' });
    return;
  }
  if (filters.length > PATCH_LIMITS.filtersPerGroup) {
    problems.push({ path: at, message: `Member must have length less than or equal to ${PATCH_LIMITS.filtersPerGroup}` });
  }
  const props = PATCH_PROPERTIES[os];
  filters.forEach((filter, f) => {
    const fat = `${at}.${f + 1}.member`;
    if (!(PATCH_FILTER_KEYS as readonly string[]).includes(filter.Key)) {
      problems.push({ path: `${fat}.key`, message: `Value '${filter.Key}' failed to satisfy constraint: Member must satisfy enum value set: [${PATCH_FILTER_KEYS.join(', ')}]` });
      return;
    }
    const key = filter.Key as PatchFilterKey;
    if (!props.keys.includes(key)) {
      problems.push({ path: `${fat}.key`, message: `Filter key ${key} is not valid for operating system ${os}; valid keys: ${props.keys.join(', ')}` });
      return;
    }
    if (filter.Values.length < 1 || filter.Values.length > PATCH_LIMITS.valuesPerFilter) {
      problems.push({ path: `${fat}.values`, message: `Member must have length between 1 and ${PATCH_LIMITS.valuesPerFilter}` });
    }
    for (const value of filter.Values) {
      const problem = valueProblem(os, key, value);
      if (problem) problems.push({ path: `${fat}.values`, message: problem });
    }
  });
}

function valueProblem(os: OperatingSystem, key: PatchFilterKey, value: string): string | undefined {
  if (value.length < 1 || value.length > PATCH_LIMITS.valueLength) {
    return `Value '${value}' failed to satisfy constraint: Member must have length between 1 and ${PATCH_LIMITS.valueLength}`;
  }
  // `*` matches every value of any key (PatchFilter reference).
  if (value === '*') return undefined;
  const props = PATCH_PROPERTIES[os];
  if (key === 'PRODUCT') {
    return props.product.test(value) ? undefined : `'${value}' is not a valid PRODUCT for operating system ${os}`;
  }
  const rule = props.values[key];
  if (!rule) return undefined;
  if (rule.kind === 'enum') {
    const lower = value.toLowerCase();
    return rule.values.some((v) => v.toLowerCase() === lower)
      ? undefined
      : `'${value}' is not a valid ${key} for operating system ${os}; valid values: ${rule.values.join(', ')}`;
  }
  return rule.test(value) ? undefined : `'${value}' is not a valid ${key}: ${rule.describe}`;
}

function checkPatchList(
  os: OperatingSystem,
  list: readonly string[] | undefined,
  at: string,
  kind: 'approved' | 'rejected',
  problems: PatchBaselineProblem[],
): void {
  if (!list) return;
  if (list.length > PATCH_LIMITS.patchesPerList) {
    problems.push({ path: at, message: `Member must have length less than or equal to ${PATCH_LIMITS.patchesPerList}` });
  }
  const format = packageFormatOf(os);
  list.forEach((entry, k) => {
    if (entry.length < 1 || entry.length > PATCH_LIMITS.patchLength) {
      problems.push({ path: `${at}.${k + 1}.member`, message: `Member must have length between 1 and ${PATCH_LIMITS.patchLength}` });
      return;
    }
    if (!format) return;
    const problem = patternProblem(format, entry, kind);
    if (problem) problems.push({ path: `${at}.${k + 1}.member`, message: problem });
  });
}
