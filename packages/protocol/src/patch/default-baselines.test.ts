import { describe, expect, it } from 'vitest';
import { DEFAULT_BASELINES, defaultBaselineFor, listDefaultBaselines } from './default-baselines.js';
import { evaluateBaseline } from './evaluate-baseline.js';
import { validatePatchBaseline } from './patch-filters.js';
import { TEND_PATCHED_OPERATING_SYSTEMS, type AvailableUpdate, type NodePackageFacts, type OperatingSystem } from './patch-model.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 5, 1);

/** Which of the given updates the OS's default baseline approves (installs) at `now`. */
function approvedBy(os: OperatingSystem, product: string, updates: AvailableUpdate[], now = NOW): string[] {
  const facts: NodePackageFacts = {
    operatingSystem: os,
    product,
    installed: updates.map((u) => ({ name: u.name, arch: u.arch, version: '0.1-1' })),
    updates,
    collectedAt: now,
  };
  return evaluateBaseline(facts, defaultBaselineFor(os)!, { now, detail: 'none' }).install.map((p) => p.name);
}

const update = (name: string, extra: Partial<AvailableUpdate>): AvailableUpdate => ({ name, arch: 'x86_64', version: '1.0-1', releaseDate: NOW - 30 * DAY, ...extra });

describe('predefined baselines', () => {
  it('exist for every OS Tend patches, with Systems Manager’s names', () => {
    expect(Object.fromEntries(TEND_PATCHED_OPERATING_SYSTEMS.map((os) => [os, defaultBaselineFor(os)?.Name]))).toEqual({
      DEBIAN: 'AWS-DebianDefaultPatchBaseline',
      UBUNTU: 'AWS-UbuntuDefaultPatchBaseline',
      REDHAT_ENTERPRISE_LINUX: 'AWS-RedHatDefaultPatchBaseline',
      ROCKY_LINUX: 'AWS-RockyLinuxDefaultPatchBaseline',
      ALMA_LINUX: 'AWS-AlmaLinuxDefaultPatchBaseline',
      CENTOS: 'AWS-CentOSDefaultPatchBaseline',
      AMAZON_LINUX_2023: 'AWS-AmazonLinux2023DefaultPatchBaseline',
      SUSE: 'AWS-SuseDefaultPatchBaseline',
    });
    expect(listDefaultBaselines()).toHaveLength(8);
  });

  it.each(Object.entries(DEFAULT_BASELINES))('%s is a valid baseline for its OS, with compliance level UNSPECIFIED', (os, baseline) => {
    expect(baseline!.OperatingSystem).toBe(os);
    expect(validatePatchBaseline(baseline!)).toEqual([]);
    for (const rule of baseline!.ApprovalRules!.PatchRules) expect(rule.ComplianceLevel).toBe('UNSPECIFIED');
  });

  it('Debian and Ubuntu: approve security updates of every priority immediately, nothing from the other archives', () => {
    for (const [os, product, archive] of [['DEBIAN', 'Debian12', 'bookworm'], ['UBUNTU', 'Ubuntu22.04', 'jammy']] as const) {
      const updates = [
        update('openssl', { arch: 'amd64', security: true, repository: `${archive}-security`, priority: 'Optional', releaseDate: NOW }),
        update('base-files', { arch: 'amd64', security: true, repository: `${archive}-security`, priority: 'Required', releaseDate: NOW }),
        update('tzdata', { arch: 'all', security: false, repository: `${archive}-updates`, priority: 'Required' }),
      ];
      expect(approvedBy(os, product, updates)).toEqual(['openssl', 'base-files']);
    }
  });

  it.each([
    ['REDHAT_ENTERPRISE_LINUX', 'RedhatEnterpriseLinux9.4'],
    ['ROCKY_LINUX', 'RockyLinux9.4'],
    ['ALMA_LINUX', 'AlmaLinux9.4'],
    ['AMAZON_LINUX_2023', 'AmazonLinux2023'],
  ] as const)('%s: approves Critical and Important security updates and all bug fixes, 7 days after release', (os, product) => {
    const updates = [
      update('openssl', { classification: 'Security', severity: 'Important', releaseDate: NOW - 8 * DAY }),
      update('kernel', { classification: 'Security', severity: 'Critical', releaseDate: NOW - 2 * DAY }),
      update('expat', { classification: 'Security', severity: os === 'AMAZON_LINUX_2023' ? 'Medium' : 'Moderate', releaseDate: NOW - 30 * DAY }),
      update('bash', { classification: 'Bugfix', releaseDate: NOW - 7 * DAY }),
      update('vim-enhanced', { classification: 'Enhancement', releaseDate: NOW - 30 * DAY }),
      update('nano', { releaseDate: NOW - 30 * DAY }),
    ];
    expect(approvedBy(os, product, updates)).toEqual(['openssl', 'bash']);
    expect(approvedBy(os, product, updates, NOW + 5 * DAY)).toEqual(['openssl', 'kernel', 'bash']);
  });

  it('CentOS: approves every update, non-security and without advisory included, 7 days after it becomes available', () => {
    const updates = [update('bash', { releaseDate: NOW - 8 * DAY }), update('openssl', { releaseDate: NOW - 3 * DAY }), update('glibc', { classification: 'Enhancement', releaseDate: NOW - 10 * DAY })];
    expect(approvedBy('CENTOS', 'CentOSStream9', updates)).toEqual(['bash', 'glibc']);
  });

  it('SUSE: approves Critical and Important security updates 7 days after release, nothing else', () => {
    const updates = [
      update('libopenssl3', { classification: 'Security', severity: 'Critical', releaseDate: NOW - 8 * DAY }),
      update('curl', { classification: 'Security', severity: 'Moderate', releaseDate: NOW - 8 * DAY }),
      update('zypper', { classification: 'Recommended', releaseDate: NOW - 30 * DAY }),
    ];
    expect(approvedBy('SUSE', 'Suse15.5', updates)).toEqual(['libopenssl3']);
  });
});
