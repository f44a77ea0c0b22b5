import { z } from 'zod';

/**
 * The patch model shared by the server, the agent and the package-manager
 * backends (issue 5). Two halves:
 *
 * - Package facts: what a backend (apt, dnf/yum, zypper, simulated) reports
 *   about one node: installed packages and available updates, with the
 *   metadata the baseline filters look at. Times are epoch milliseconds, as
 *   in every agent frame.
 * - The patch baseline exactly as Systems Manager's API has it (field names,
 *   enums and nesting of PatchBaseline / BaselineOverride in
 *   @aws-sdk/client-ssm), so an API request body or an AWS-RunPatchBaseline
 *   BaselineOverride parses straight into it.
 *
 * The evaluation's output (patch states and the per-node counts) is here too,
 * because the agent sends it and the server stores and serves it.
 */

// ---------------------------------------------------------------------------
// Enums, spelled as in @aws-sdk/client-ssm (dist-types/models/enums.d.ts)
// ---------------------------------------------------------------------------

export const OPERATING_SYSTEMS = [
  'WINDOWS',
  'AMAZON_LINUX',
  'AMAZON_LINUX_2',
  'AMAZON_LINUX_2022',
  'AMAZON_LINUX_2023',
  'UBUNTU',
  'DEBIAN',
  'RASPBIAN',
  'REDHAT_ENTERPRISE_LINUX',
  'SUSE',
  'CENTOS',
  'ORACLE_LINUX',
  'ROCKY_LINUX',
  'ALMA_LINUX',
  'MACOS',
] as const;
export const operatingSystemSchema = z.enum(OPERATING_SYSTEMS);
export type OperatingSystem = z.infer<typeof operatingSystemSchema>;

/** The operating systems Tend patches (the others are accepted by the API but have no backend). */
export const TEND_PATCHED_OPERATING_SYSTEMS = [
  'DEBIAN',
  'UBUNTU',
  'REDHAT_ENTERPRISE_LINUX',
  'ROCKY_LINUX',
  'ALMA_LINUX',
  'CENTOS',
  'AMAZON_LINUX_2023',
  'SUSE',
] as const satisfies readonly OperatingSystem[];

/** Package format of an operating system: decides version comparison and patch-name formats. */
export type PackageFormat = 'deb' | 'rpm';

/** deb for the Debian family, rpm for the rest of Linux; macOS and Windows have neither. */
export function packageFormatOf(os: OperatingSystem): PackageFormat | undefined {
  switch (os) {
    case 'DEBIAN':
    case 'UBUNTU':
    case 'RASPBIAN':
      return 'deb';
    case 'WINDOWS':
    case 'MACOS':
      return undefined;
    default:
      return 'rpm';
  }
}

/** Compliance level of a rule or of the approved-patches list, also a patch's severity in reports. */
export const PATCH_COMPLIANCE_LEVELS = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNSPECIFIED'] as const;
export const patchComplianceLevelSchema = z.enum(PATCH_COMPLIANCE_LEVELS);
export type PatchComplianceLevel = z.infer<typeof patchComplianceLevelSchema>;

export const PATCH_FILTER_KEYS = [
  'ARCH',
  'ADVISORY_ID',
  'BUGZILLA_ID',
  'PATCH_SET',
  'PRODUCT',
  'PRODUCT_FAMILY',
  'CLASSIFICATION',
  'CVE_ID',
  'EPOCH',
  'MSRC_SEVERITY',
  'NAME',
  'PATCH_ID',
  'SECTION',
  'PRIORITY',
  'REPOSITORY',
  'RELEASE',
  'SEVERITY',
  'SECURITY',
  'VERSION',
] as const;
export const patchFilterKeySchema = z.enum(PATCH_FILTER_KEYS);
export type PatchFilterKey = z.infer<typeof patchFilterKeySchema>;

export const PATCH_ACTIONS = ['ALLOW_AS_DEPENDENCY', 'BLOCK'] as const;
export const patchActionSchema = z.enum(PATCH_ACTIONS);
export type PatchAction = z.infer<typeof patchActionSchema>;

/**
 * State of one patch on one node (PatchComplianceData.State).
 * INSTALLED and INSTALLED_OTHER are compliant; INSTALLED_PENDING_REBOOT,
 * INSTALLED_REJECTED, MISSING and FAILED are not. NOT_APPLICABLE and
 * AVAILABLE_SECURITY_UPDATE are Windows-only in Systems Manager: they are in
 * the type so stored data round-trips, Tend's evaluation never produces them.
 */
export const PATCH_STATES = [
  'INSTALLED',
  'INSTALLED_OTHER',
  'INSTALLED_PENDING_REBOOT',
  'INSTALLED_REJECTED',
  'MISSING',
  'FAILED',
  'NOT_APPLICABLE',
  'AVAILABLE_SECURITY_UPDATE',
] as const;
export const patchStateSchema = z.enum(PATCH_STATES);
export type PatchState = z.infer<typeof patchStateSchema>;

/** Approval of a patch by a baseline (PatchStatus.DeploymentStatus), plus NOT_APPROVED for "no rule or list says so". */
export const PATCH_DEPLOYMENT_STATUSES = ['APPROVED', 'PENDING_APPROVAL', 'EXPLICIT_APPROVED', 'EXPLICIT_REJECTED'] as const;
export type PatchDeploymentStatus = (typeof PATCH_DEPLOYMENT_STATUSES)[number];
export type PatchApproval = PatchDeploymentStatus | 'NOT_APPROVED';

// ---------------------------------------------------------------------------
// Package facts a backend reports
// ---------------------------------------------------------------------------

const epochMs = z.number().int().nonnegative();
const shortText = z.string().max(256);
const idList = z.array(z.string().min(1).max(128)).max(1000);

/**
 * Metadata of a package version as a patch: what the baseline's filters and
 * approval rules look at. Everything is optional because each OS knows
 * different things; a filter on a property the package lacks does not match it.
 */
export const patchInfoSchema = z.object({
  /**
   * Where the version comes from. Debian/Ubuntu: the archive (suite) of the
   * apt origin, e.g. `bookworm-security`, `jammy-updates`, `jammy-security`.
   * RPM: the repository id, e.g. `baseos`, `amazonlinux`, `SLE-Module-Basesystem15-SP5-Updates`.
   */
  repository: shortText.optional(),
  /**
   * The version fixes a security issue. Debian/Ubuntu: it comes from the
   * security archive (`*-security`). RPM/SUSE: its advisory's type is security.
   * Approval rules without EnableNonSecurity only approve these.
   */
  security: z.boolean().optional(),
  /**
   * RPM/SUSE advisory type as the CLASSIFICATION filter spells it:
   * RHEL family and Amazon Linux `Security`, `Bugfix`, `Enhancement`,
   * `Recommended`, `Newpackage`; SUSE `Security`, `Recommended`, `Optional`,
   * `Feature`, `Document`, `Yast`. Absent for Debian/Ubuntu and for RPM
   * updates without an advisory.
   */
  classification: shortText.optional(),
  /** RPM/SUSE advisory severity as the SEVERITY filter spells it: `Critical`, `Important`, `Moderate` (`Medium` on Amazon Linux), `Low`. */
  severity: shortText.optional(),
  /** Debian/Ubuntu package priority as the PRIORITY filter spells it: `Required`, `Important`, `Standard`, `Optional`, `Extra`. */
  priority: shortText.optional(),
  /** Debian/Ubuntu section, e.g. `admin`, `libs`, `universe/net` (SECTION filter). */
  section: shortText.optional(),
  /** CVE ids the version fixes, e.g. CVE-2024-3094. */
  cveIds: idList.optional(),
  /** Advisory ids, e.g. RHSA-2024:1234, ALAS2023-2024-500, SUSE-SU-2024:0001-1, DSA-5678-1, USN-6789-1. */
  advisoryIds: idList.optional(),
  /** Bugzilla ids (RPM advisories). */
  bugzillaIds: idList.optional(),
  /**
   * When the version was released (the advisory's issued date, or when it
   * appeared in the repository): ApproveAfterDays and ApproveUntilDate count from it.
   */
  releaseDate: epochMs.optional(),
  /** Advisory or package summary, shown as the patch Title. */
  title: z.string().max(1024).optional(),
});
export type PatchInfo = z.infer<typeof patchInfoSchema>;

const packageName = z.string().min(1).max(256);
const packageArch = z.string().min(1).max(64);
/**
 * A full version: Debian `[epoch:]upstream[-revision]` (e.g. `1:2.38.1-5+deb12u1`),
 * RPM `[epoch:]version-release` (e.g. `1:3.0.7-27.el9`). The epoch is kept
 * whenever the package manager reports a non-zero one.
 */
const packageVersion = z.string().min(1).max(256);

/** A package installed on the node (dpkg-query / rpm -qa). The PatchInfo fields describe the installed version where the backend knows them. */
export const installedPackageSchema = patchInfoSchema.extend({
  name: packageName,
  /** dpkg arch (`amd64`, `arm64`, `all`) or RPM arch (`x86_64`, `aarch64`, `noarch`). */
  arch: packageArch,
  version: packageVersion,
  installedTime: epochMs.optional(),
  /**
   * Installed only to satisfy another package (apt's auto-installed mark,
   * dnf's `dependency` reason). Informational: under ALLOW_AS_DEPENDENCY an
   * installed rejected package reports INSTALLED_OTHER either way.
   */
  dependency: z.boolean().optional(),
});
export type InstalledPackage = z.infer<typeof installedPackageSchema>;

/** A newer version the node's repositories offer for an installed package (apt list --upgradable, dnf check-update / updateinfo, zypper list-updates / list-patches). */
export const availableUpdateSchema = patchInfoSchema.extend({
  name: packageName,
  arch: packageArch,
  /** The candidate version, full (what `apt-get install name=version` / `dnf install name-version` takes). */
  version: packageVersion,
  /** The version it replaces, when the backend knows (informational: evaluation compares with the installed packages of the same name). */
  installedVersion: packageVersion.optional(),
  /** Installing it is known to need a reboot (a kernel, a SUSE patch flagged reboot-suggested). */
  rebootRequired: z.boolean().optional(),
});
export type AvailableUpdate = z.infer<typeof availableUpdateSchema>;

/** Reboot facts of a node. */
export const rebootFactsSchema = z.object({
  /** The OS says a reboot is needed: /var/run/reboot-required, `needs-restarting -r`, a newer installed kernel than the running one. */
  required: z.boolean(),
  /** When the node last booted: packages installed after it, while a reboot is required, are pending reboot. */
  lastBootTime: epochMs.optional(),
  /** The packages that asked for the reboot when the OS names them (Debian's /var/run/reboot-required.pkgs). */
  packages: z.array(packageName).max(10_000).optional(),
});
export type RebootFacts = z.infer<typeof rebootFactsSchema>;

/** Everything a backend reports about one node, and the input of baseline evaluation. */
export const nodePackageFactsSchema = z.object({
  operatingSystem: operatingSystemSchema,
  /**
   * The node's PRODUCT as patch baselines name it: `Debian12`, `Ubuntu22.04`,
   * `RedhatEnterpriseLinux9.4`, `RockyLinux9.3`, `AlmaLinux9.4`,
   * `CentOSStream9`, `AmazonLinux2023`, `Suse15.5`.
   */
  product: shortText,
  installed: z.array(installedPackageSchema).max(100_000),
  updates: z.array(availableUpdateSchema).max(100_000),
  reboot: rebootFactsSchema.optional(),
  /** When the facts were gathered. */
  collectedAt: epochMs,
});
export type NodePackageFacts = z.infer<typeof nodePackageFactsSchema>;

// ---------------------------------------------------------------------------
// The patch baseline, as Systems Manager's API has it
// ---------------------------------------------------------------------------

export const patchFilterSchema = z.object({
  Key: patchFilterKeySchema,
  Values: z.array(z.string()),
});
export type PatchFilter = z.infer<typeof patchFilterSchema>;

export const patchFilterGroupSchema = z.object({
  PatchFilters: z.array(patchFilterSchema),
});
export type PatchFilterGroup = z.infer<typeof patchFilterGroupSchema>;

export const patchRuleSchema = z.object({
  PatchFilterGroup: patchFilterGroupSchema,
  ComplianceLevel: patchComplianceLevelSchema.optional(),
  /** 0–360: days after the patch's release date it becomes approved. */
  ApproveAfterDays: z.number().int().optional(),
  /** YYYY-MM-DD: patches released on or before this day (UTC) are approved. */
  ApproveUntilDate: z.string().optional(),
  EnableNonSecurity: z.boolean().optional(),
});
export type PatchRule = z.infer<typeof patchRuleSchema>;

export const patchRuleGroupSchema = z.object({
  PatchRules: z.array(patchRuleSchema),
});
export type PatchRuleGroup = z.infer<typeof patchRuleGroupSchema>;

/** A custom repository the agent configures during the patching operation (Linux). */
export const patchSourceSchema = z.object({
  Name: z.string(),
  /** Products the source applies to, e.g. `Ubuntu22.04`, `RedhatEnterpriseLinux9.4`, `*`. */
  Products: z.array(z.string()),
  /** yum .repo content, or one sources.list line for apt. */
  Configuration: z.string(),
});
export type PatchSource = z.infer<typeof patchSourceSchema>;

/**
 * The rules part of a patch baseline: the fields shared by PatchBaseline
 * (Create/Update/GetPatchBaseline) and BaselineOverride (AWS-RunPatchBaseline).
 * Defaults as Systems Manager documents them: OperatingSystem WINDOWS,
 * ApprovedPatchesComplianceLevel UNSPECIFIED, ApprovedPatchesEnableNonSecurity
 * false, RejectedPatchesAction ALLOW_AS_DEPENDENCY.
 */
export const patchBaselineRulesSchema = z.object({
  OperatingSystem: operatingSystemSchema.optional(),
  GlobalFilters: patchFilterGroupSchema.optional(),
  ApprovalRules: patchRuleGroupSchema.optional(),
  ApprovedPatches: z.array(z.string()).optional(),
  ApprovedPatchesComplianceLevel: patchComplianceLevelSchema.optional(),
  ApprovedPatchesEnableNonSecurity: z.boolean().optional(),
  RejectedPatches: z.array(z.string()).optional(),
  RejectedPatchesAction: patchActionSchema.optional(),
  Sources: z.array(patchSourceSchema).optional(),
  /** Windows only in Systems Manager; kept so a stored baseline round-trips. */
  AvailableSecurityUpdatesComplianceStatus: z.enum(['COMPLIANT', 'NON_COMPLIANT']).optional(),
});
export type PatchBaselineRules = z.infer<typeof patchBaselineRulesSchema>;

/** A named baseline (what GetPatchBaseline returns, minus dates and patch groups). */
export const patchBaselineSchema = patchBaselineRulesSchema.extend({
  BaselineId: z.string().optional(),
  Name: z.string(),
  Description: z.string().optional(),
});
export type PatchBaseline = z.infer<typeof patchBaselineSchema>;

// ---------------------------------------------------------------------------
// The evaluation's output
// ---------------------------------------------------------------------------

/**
 * The state of one patch on one node: one row of DescribeInstancePatches.
 * Rows point at the reported facts instead of copying them (a fleet
 * evaluation builds millions of rows): the patch is `update` for MISSING and
 * FAILED, the installed package otherwise — {@link patchOf} picks it, and its
 * name, arch, version, classification, severity, CVE ids, release date and
 * title fill the row.
 */
export interface PatchStateEntry {
  state: PatchState;
  approval: PatchApproval;
  /** The baseline's compliance level for this patch (the approving rule or list); UNSPECIFIED when not approved. */
  complianceLevel: PatchComplianceLevel;
  /** Fixes a security issue (counts toward SecurityNonCompliantCount when non-compliant). */
  security: boolean;
  /** The installed package the row is about (its version is the installed one, its installedTime the InstalledTime). */
  installed: InstalledPackage;
  /** The approved update that is missing or failed to install; undefined for the installed states. */
  update: AvailableUpdate | undefined;
}

/** The patch a row describes: the missing update, or the installed package. */
export function patchOf(entry: PatchStateEntry): InstalledPackage | AvailableUpdate {
  return entry.update ?? entry.installed;
}

/** The per-node counts Systems Manager reports in InstancePatchState. */
export interface PatchCounts {
  InstalledCount: number;
  InstalledOtherCount: number;
  InstalledPendingRebootCount: number;
  InstalledRejectedCount: number;
  MissingCount: number;
  FailedCount: number;
  NotApplicableCount: number;
  CriticalNonCompliantCount: number;
  SecurityNonCompliantCount: number;
  OtherNonCompliantCount: number;
}

/** A package version to install: `name=version` for apt, `name-version.arch` for dnf/zypper (the backend renders it). */
export interface PackageToInstall {
  name: string;
  arch: string;
  version: string;
}

/** States that do not make a node non-compliant: INSTALLED and INSTALLED_OTHER, and Windows' NOT_APPLICABLE, which counts neither way. */
export function isCompliantState(state: PatchState): boolean {
  return state === 'INSTALLED' || state === 'INSTALLED_OTHER' || state === 'NOT_APPLICABLE';
}
