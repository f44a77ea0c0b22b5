import type { OperatingSystem, PatchBaseline, PatchRule } from './patch-model.js';

/**
 * The predefined baselines, one per operating system Tend patches, with
 * Systems Manager's names and approval rules (user guide, "Predefined and
 * custom patch baselines"). Each is the default for its OS until an
 * operator registers another. Like Systems Manager's, they assign the
 * compliance level UNSPECIFIED and cannot be changed (copy one to customize).
 *
 * What the guide says each approves:
 * - Debian, Ubuntu: immediately (the repositories give no reliable release
 *   dates), every security-related update with a priority of Required,
 *   Important, Standard, Optional or Extra. Security-related is the implicit
 *   EnableNonSecurity=false rule: the candidate must come from the security
 *   archive.
 * - Red Hat Enterprise Linux, Rocky Linux, AlmaLinux, Amazon Linux 2023:
 *   updates classified Security with severity Critical or Important, and
 *   every update classified Bugfix, 7 days after release.
 * - CentOS (Stream): every update, non-security included, 7 days after it
 *   becomes available.
 * - SUSE: updates classified Security with severity Critical or Important,
 *   7 days after release. (The guide spells the name AWS-SuseDefaultPatchBaseline.)
 */

const ALL_PRODUCTS = { Key: 'PRODUCT', Values: ['*'] } as const;

function rule(filters: PatchRule['PatchFilterGroup']['PatchFilters'], approveAfterDays: number, enableNonSecurity = false): PatchRule {
  return {
    PatchFilterGroup: { PatchFilters: [ALL_PRODUCTS, ...filters].map((f) => ({ Key: f.Key, Values: [...f.Values] })) },
    ComplianceLevel: 'UNSPECIFIED',
    ApproveAfterDays: approveAfterDays,
    EnableNonSecurity: enableNonSecurity,
  };
}

const debianRules = (): PatchRule[] => [
  rule([{ Key: 'PRIORITY', Values: ['Required', 'Important', 'Standard', 'Optional', 'Extra'] }], 0),
];

const redHatRules = (): PatchRule[] => [
  rule(
    [
      { Key: 'CLASSIFICATION', Values: ['Security'] },
      { Key: 'SEVERITY', Values: ['Critical', 'Important'] },
    ],
    7,
  ),
  rule([{ Key: 'CLASSIFICATION', Values: ['Bugfix'] }], 7),
];

function predefined(name: string, os: OperatingSystem, description: string, rules: PatchRule[]): PatchBaseline {
  return {
    Name: name,
    OperatingSystem: os,
    Description: description,
    GlobalFilters: { PatchFilters: [] },
    ApprovalRules: { PatchRules: rules },
    ApprovedPatches: [],
    ApprovedPatchesComplianceLevel: 'UNSPECIFIED',
    ApprovedPatchesEnableNonSecurity: false,
    RejectedPatches: [],
    RejectedPatchesAction: 'ALLOW_AS_DEPENDENCY',
    Sources: [],
  };
}

/** The predefined baselines, keyed by the operating system each is the default for. */
export const DEFAULT_BASELINES: Readonly<Partial<Record<OperatingSystem, PatchBaseline>>> = {
  DEBIAN: predefined(
    'AWS-DebianDefaultPatchBaseline',
    'DEBIAN',
    'Default Patch Baseline for Debian Provided by Tend: security updates of every priority, approved immediately.',
    debianRules(),
  ),
  UBUNTU: predefined(
    'AWS-UbuntuDefaultPatchBaseline',
    'UBUNTU',
    'Default Patch Baseline for Ubuntu Provided by Tend: security updates of every priority, approved immediately.',
    debianRules(),
  ),
  REDHAT_ENTERPRISE_LINUX: predefined(
    'AWS-RedHatDefaultPatchBaseline',
    'REDHAT_ENTERPRISE_LINUX',
    'Default Patch Baseline for Red Hat Enterprise Linux Provided by Tend: Critical and Important security updates and all bug fixes, 7 days after release.',
    redHatRules(),
  ),
  ROCKY_LINUX: predefined(
    'AWS-RockyLinuxDefaultPatchBaseline',
    'ROCKY_LINUX',
    'Default Patch Baseline for Rocky Linux Provided by Tend: Critical and Important security updates and all bug fixes, 7 days after release.',
    redHatRules(),
  ),
  ALMA_LINUX: predefined(
    'AWS-AlmaLinuxDefaultPatchBaseline',
    'ALMA_LINUX',
    'Default Patch Baseline for AlmaLinux Provided by Tend: Critical and Important security updates and all bug fixes, 7 days after release.',
    redHatRules(),
  ),
  CENTOS: predefined(
    'AWS-CentOSDefaultPatchBaseline',
    'CENTOS',
    'Default Patch Baseline for CentOS Stream Provided by Tend: all updates, non-security included, 7 days after they become available.',
    [
      rule(
        [
          { Key: 'CLASSIFICATION', Values: ['*'] },
          { Key: 'SEVERITY', Values: ['*'] },
        ],
        7,
        true,
      ),
    ],
  ),
  AMAZON_LINUX_2023: predefined(
    'AWS-AmazonLinux2023DefaultPatchBaseline',
    'AMAZON_LINUX_2023',
    'Default Patch Baseline for Amazon Linux 2023 Provided by Tend: Critical and Important security updates and all bug fixes, 7 days after release.',
    redHatRules(),
  ),
  SUSE: predefined(
    'AWS-SuseDefaultPatchBaseline',
    'SUSE',
    'Default Patch Baseline for SUSE Linux Enterprise Server Provided by Tend: Critical and Important security updates, 7 days after release.',
    [
      rule(
        [
          { Key: 'CLASSIFICATION', Values: ['Security'] },
          { Key: 'SEVERITY', Values: ['Critical', 'Important'] },
        ],
        7,
      ),
    ],
  ),
};

/** The predefined baseline for an operating system, or undefined when Tend has none for it. */
export function defaultBaselineFor(os: OperatingSystem): PatchBaseline | undefined {
  return DEFAULT_BASELINES[os];
}

/** All predefined baselines, in a stable order. */
export function listDefaultBaselines(): PatchBaseline[] {
  return Object.values(DEFAULT_BASELINES).filter((b): b is PatchBaseline => b !== undefined);
}
