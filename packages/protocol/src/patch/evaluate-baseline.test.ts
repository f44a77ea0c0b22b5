import { describe, expect, it } from 'vitest';
import { compileBaseline, evaluateBaseline, evaluateNode, prepareNodeFacts, type EvaluationOptions } from './evaluate-baseline.js';
import {
  patchOf,
  type AvailableUpdate,
  type InstalledPackage,
  type NodePackageFacts,
  type PatchBaselineRules,
  type PatchRule,
  type PatchState,
} from './patch-model.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);

// --- Debian fixtures --------------------------------------------------------

const deb = (name: string, version: string, extra: Partial<InstalledPackage> = {}): InstalledPackage => ({
  name,
  arch: 'amd64',
  version,
  installedTime: NOW - 100 * DAY,
  priority: 'Optional',
  section: 'libs',
  ...extra,
});
/** A Debian update from the security archive unless said otherwise, released 30 days ago. */
const debUpdate = (name: string, version: string, extra: Partial<AvailableUpdate> = {}): AvailableUpdate => ({
  name,
  arch: 'amd64',
  version,
  repository: 'bookworm-security',
  security: true,
  priority: 'Optional',
  section: 'libs',
  releaseDate: NOW - 30 * DAY,
  ...extra,
});
const debianFacts = (installed: InstalledPackage[], updates: AvailableUpdate[] = [], extra: Partial<NodePackageFacts> = {}): NodePackageFacts => ({
  operatingSystem: 'DEBIAN',
  product: 'Debian12',
  installed,
  updates,
  collectedAt: NOW,
  ...extra,
});
const priorityRule = (values: string[], extra: Partial<PatchRule> = {}): PatchRule => ({
  PatchFilterGroup: { PatchFilters: [{ Key: 'PRIORITY', Values: values }] },
  ApproveAfterDays: 0,
  ...extra,
});
const debianBaseline = (rules: PatchRule[], extra: Partial<PatchBaselineRules> = {}): PatchBaselineRules => ({
  OperatingSystem: 'DEBIAN',
  ApprovalRules: { PatchRules: rules },
  ...extra,
});

// --- RPM fixtures -----------------------------------------------------------

const rpm = (name: string, version: string, extra: Partial<InstalledPackage> = {}): InstalledPackage => ({
  name,
  arch: 'x86_64',
  version,
  installedTime: NOW - 100 * DAY,
  ...extra,
});
const rpmUpdate = (name: string, version: string, extra: Partial<AvailableUpdate> = {}): AvailableUpdate => ({
  name,
  arch: 'x86_64',
  version,
  repository: 'baseos',
  classification: 'Security',
  severity: 'Important',
  security: true,
  advisoryIds: ['RHSA-2025:1001'],
  releaseDate: NOW - 30 * DAY,
  ...extra,
});
const rhelFacts = (installed: InstalledPackage[], updates: AvailableUpdate[] = [], extra: Partial<NodePackageFacts> = {}): NodePackageFacts => ({
  operatingSystem: 'REDHAT_ENTERPRISE_LINUX',
  product: 'RedhatEnterpriseLinux9.4',
  installed,
  updates,
  collectedAt: NOW,
  ...extra,
});
const rpmRule = (filters: { Key: 'CLASSIFICATION' | 'SEVERITY' | 'PRODUCT'; Values: string[] }[], extra: Partial<PatchRule> = {}): PatchRule => ({
  PatchFilterGroup: { PatchFilters: filters },
  ApproveAfterDays: 0,
  ...extra,
});
const rhelBaseline = (rules: PatchRule[], extra: Partial<PatchBaselineRules> = {}): PatchBaselineRules => ({
  OperatingSystem: 'REDHAT_ENTERPRISE_LINUX',
  ApprovalRules: { PatchRules: rules },
  ...extra,
});

const evaluate = (facts: NodePackageFacts, baseline: PatchBaselineRules, options: Partial<EvaluationOptions> = {}) =>
  evaluateBaseline(facts, baseline, { now: NOW, ...options });
/** name → state of its row. */
const states = (facts: NodePackageFacts, baseline: PatchBaselineRules, options: Partial<EvaluationOptions> = {}): Record<string, PatchState> =>
  Object.fromEntries(evaluate(facts, baseline, options).patches.map((row) => [patchOf(row).name, row.state]));
const installList = (facts: NodePackageFacts, baseline: PatchBaselineRules, options: Partial<EvaluationOptions> = {}) =>
  evaluate(facts, baseline, options).install.map((p) => `${p.name}=${p.version}`);

describe('approval rules', () => {
  it('approve when every filter of the group matches (filters AND, values OR)', () => {
    const baseline = debianBaseline([
      { PatchFilterGroup: { PatchFilters: [{ Key: 'PRIORITY', Values: ['Required', 'Optional'] }, { Key: 'SECTION', Values: ['net'] }] }, ApproveAfterDays: 0 },
    ]);
    const facts = debianFacts(
      [deb('curl', '7.88.1-10', { section: 'net' }), deb('zlib1g', '1:1.2.13-1')],
      [debUpdate('curl', '7.88.1-10+deb12u8', { section: 'net' }), debUpdate('zlib1g', '1:1.2.13-1+deb12u1', { section: 'libs' })],
    );
    expect(states(facts, baseline)).toEqual({ curl: 'MISSING', zlib1g: 'INSTALLED_OTHER' });
  });

  it('do not match a property the patch lacks, but * matches even a missing value', () => {
    const facts = debianFacts([deb('curl', '7.88.1-10')], [debUpdate('curl', '7.88.1-10+deb12u8', { priority: undefined })]);
    expect(states(facts, debianBaseline([priorityRule(['Optional'])]))).toEqual({ curl: 'INSTALLED_OTHER' });
    expect(states(facts, debianBaseline([priorityRule(['*'])]))).toEqual({ curl: 'MISSING' });
  });

  it('compare filter values case-insensitively', () => {
    const facts = debianFacts([deb('curl', '7.88.1-10')], [debUpdate('curl', '7.88.1-10+deb12u8', { priority: 'optional' })]);
    expect(states(facts, debianBaseline([priorityRule(['OPTIONAL'])]))).toEqual({ curl: 'MISSING' });
  });

  it('apply only to nodes whose PRODUCT the rule names', () => {
    const rule: PatchRule = { PatchFilterGroup: { PatchFilters: [{ Key: 'PRODUCT', Values: ['Debian11'] }, { Key: 'PRIORITY', Values: ['*'] }] }, ApproveAfterDays: 0 };
    const facts = debianFacts([deb('curl', '7.88.1-10')], [debUpdate('curl', '7.88.1-10+deb12u8')]);
    expect(states(facts, debianBaseline([rule]))).toEqual({ curl: 'INSTALLED_OTHER' });
    expect(states({ ...facts, product: 'Debian11' }, debianBaseline([rule]))).toEqual({ curl: 'MISSING' });
  });

  it('without EnableNonSecurity, consider on Debian only candidates from the security archive', () => {
    const facts = debianFacts(
      [deb('curl', '7.88.1-10'), deb('tzdata', '2024a-0+deb12u1')],
      [debUpdate('curl', '7.88.1-10+deb12u8'), debUpdate('tzdata', '2025b-0+deb12u1', { repository: 'bookworm-updates', security: false })],
    );
    expect(states(facts, debianBaseline([priorityRule(['*'])]))).toEqual({ curl: 'MISSING', tzdata: 'INSTALLED_OTHER' });
  });

  it('with EnableNonSecurity, also approve updates from the other archives', () => {
    const facts = debianFacts([deb('tzdata', '2024a-0+deb12u1')], [debUpdate('tzdata', '2025b-0+deb12u1', { repository: 'bookworm-updates', security: false })]);
    expect(states(facts, debianBaseline([priorityRule(['*'], { EnableNonSecurity: true })]))).toEqual({ tzdata: 'MISSING' });
  });

  it('without EnableNonSecurity, consider on RPM only updates with an update notice — Bugfix notices included', () => {
    const facts = rhelFacts(
      [rpm('openssl', '1:3.0.7-27.el9'), rpm('bash', '5.1.8-6.el9'), rpm('vim-minimal', '2:8.2.2637-20.el9')],
      [
        rpmUpdate('openssl', '1:3.0.7-28.el9'),
        rpmUpdate('bash', '5.1.8-9.el9', { classification: 'Bugfix', severity: undefined, security: false, advisoryIds: ['RHBA-2025:2002'] }),
        rpmUpdate('vim-minimal', '2:8.2.2637-21.el9', { classification: undefined, severity: undefined, security: false, advisoryIds: undefined }),
      ],
    );
    const anyClassification = rhelBaseline([rpmRule([{ Key: 'CLASSIFICATION', Values: ['*'] }])]);
    expect(states(facts, anyClassification)).toEqual({ openssl: 'MISSING', bash: 'MISSING', 'vim-minimal': 'INSTALLED_OTHER' });
    const withNonSecurity = rhelBaseline([rpmRule([{ Key: 'CLASSIFICATION', Values: ['*'] }], { EnableNonSecurity: true })]);
    expect(states(facts, withNonSecurity)['vim-minimal']).toBe('MISSING');
  });

  it('approve ApproveAfterDays after the release date, and report PENDING_APPROVAL before', () => {
    const facts = debianFacts([deb('curl', '7.88.1-10')], [debUpdate('curl', '7.88.1-10+deb12u8', { releaseDate: NOW - 5 * DAY })]);
    const week = debianBaseline([priorityRule(['*'], { ApproveAfterDays: 7 })]);
    const early = compileBaseline(week).approvalDetails(facts.updates[0]!, 'Debian12', NOW);
    expect(early).toEqual({ approval: 'PENDING_APPROVAL', complianceLevel: 'UNSPECIFIED', approvalDate: NOW + 2 * DAY });
    expect(states(facts, week)).toEqual({ curl: 'INSTALLED_OTHER' });
    expect(states(facts, week, { now: NOW + 2 * DAY - 1 })).toEqual({ curl: 'INSTALLED_OTHER' });
    expect(states(facts, week, { now: NOW + 2 * DAY })).toEqual({ curl: 'MISSING' });
  });

  it('approve with ApproveUntilDate what was released by the end of that UTC day, and never what came later', () => {
    const facts = debianFacts(
      [deb('curl', '7.88.1-10'), deb('zlib1g', '1:1.2.13-1')],
      [
        debUpdate('curl', '7.88.1-10+deb12u8', { releaseDate: Date.UTC(2025, 4, 20, 23, 30) }),
        debUpdate('zlib1g', '1:1.2.13-1+deb12u1', { releaseDate: Date.UTC(2025, 4, 21, 0, 30) }),
      ],
    );
    const baseline = debianBaseline([priorityRule(['*'], { ApproveAfterDays: undefined, ApproveUntilDate: '2025-05-20' })]);
    expect(states(facts, baseline)).toEqual({ curl: 'MISSING', zlib1g: 'INSTALLED_OTHER' });
    expect(compileBaseline(baseline).approvalDetails(facts.updates[1]!, 'Debian12', NOW).approval).toBe('NOT_APPROVED');
  });

  it('approve a patch without a release date at once (Systems Manager treats the delay as zero)', () => {
    const facts = debianFacts([deb('curl', '7.88.1-10')], [debUpdate('curl', '7.88.1-10+deb12u8', { releaseDate: undefined })]);
    expect(states(facts, debianBaseline([priorityRule(['*'], { ApproveAfterDays: 30 })]))).toEqual({ curl: 'MISSING' });
  });

  it('give an approved patch the most severe compliance level of the rules and list approving it', () => {
    const facts = debianFacts([deb('curl', '7.88.1-10')], [debUpdate('curl', '7.88.1-10+deb12u8')]);
    const baseline = debianBaseline([priorityRule(['*'], { ComplianceLevel: 'LOW' }), priorityRule(['Optional'], { ComplianceLevel: 'HIGH' })], {
      ApprovedPatches: ['curl'],
      ApprovedPatchesComplianceLevel: 'MEDIUM',
    });
    const [row] = evaluate(facts, baseline).patches;
    expect(row).toMatchObject({ state: 'MISSING', approval: 'EXPLICIT_APPROVED', complianceLevel: 'HIGH' });
  });
});

describe('GlobalFilters', () => {
  it('exclude patches from the rules and from the approved list alike', () => {
    const facts = debianFacts([deb('curl', '7.88.1-10', { section: 'net' })], [debUpdate('curl', '7.88.1-10+deb12u8', { section: 'net' })]);
    const global = { GlobalFilters: { PatchFilters: [{ Key: 'SECTION' as const, Values: ['libs'] }] } };
    expect(states(facts, debianBaseline([priorityRule(['*'])], global))).toEqual({ curl: 'INSTALLED_OTHER' });
    expect(states(facts, debianBaseline([], { ...global, ApprovedPatches: ['curl'] }))).toEqual({ curl: 'INSTALLED_OTHER' });
    expect(states(facts, debianBaseline([], { ApprovedPatches: ['curl'] }))).toEqual({ curl: 'MISSING' });
  });

  it('with a PRODUCT filter, leave nodes of other products with nothing approved', () => {
    const facts = debianFacts([deb('curl', '7.88.1-10')], [debUpdate('curl', '7.88.1-10+deb12u8')]);
    const baseline = debianBaseline([priorityRule(['*'])], { GlobalFilters: { PatchFilters: [{ Key: 'PRODUCT', Values: ['Debian11'] }] } });
    expect(states(facts, baseline)).toEqual({ curl: 'INSTALLED_OTHER' });
  });
});

describe('ApprovedPatches', () => {
  it('approve explicitly, without the waiting period, at ApprovedPatchesComplianceLevel', () => {
    const facts = debianFacts([deb('curl', '7.88.1-10')], [debUpdate('curl', '7.88.1-10+deb12u8', { releaseDate: NOW - DAY })]);
    const baseline = debianBaseline([priorityRule(['*'], { ApproveAfterDays: 7 })], { ApprovedPatches: ['curl'], ApprovedPatchesComplianceLevel: 'CRITICAL' });
    expect(evaluate(facts, baseline).patches[0]).toMatchObject({ state: 'MISSING', approval: 'EXPLICIT_APPROVED', complianceLevel: 'CRITICAL' });
  });

  it('need ApprovedPatchesEnableNonSecurity for non-security updates', () => {
    const facts = debianFacts([deb('tzdata', '2024a-0+deb12u1')], [debUpdate('tzdata', '2025b-0+deb12u1', { repository: 'bookworm-updates', security: false })]);
    expect(states(facts, debianBaseline([], { ApprovedPatches: ['tzdata'] }))).toEqual({ tzdata: 'INSTALLED_OTHER' });
    expect(states(facts, debianBaseline([], { ApprovedPatches: ['tzdata'], ApprovedPatchesEnableNonSecurity: true }))).toEqual({ tzdata: 'MISSING' });
  });

  it('name one exact version with name=version, and CVE ids (Debian, Tend)', () => {
    const facts = debianFacts(
      [deb('curl', '7.88.1-10'), deb('libssl3', '3.0.11-1~deb12u2')],
      [debUpdate('curl', '7.88.1-10+deb12u8'), debUpdate('libssl3', '3.0.15-1~deb12u1', { cveIds: ['CVE-2024-5535'] })],
    );
    expect(states(facts, debianBaseline([], { ApprovedPatches: ['curl=7.88.1-10+deb12u8', 'CVE-2024-5535'] }))).toEqual({ curl: 'MISSING', libssl3: 'MISSING' });
    expect(states(facts, debianBaseline([], { ApprovedPatches: ['curl=7.88.1-10+deb12u7'] }))).toEqual({ curl: 'INSTALLED_OTHER', libssl3: 'INSTALLED_OTHER' });
  });

  it('take the RPM formats: name.arch, advisory ids, wildcards', () => {
    const facts = rhelFacts(
      [rpm('openssl', '1:3.0.7-27.el9'), rpm('kernel', '5.14.0-427.13.1.el9_4'), rpm('bash', '5.1.8-6.el9')],
      [rpmUpdate('openssl', '1:3.0.7-28.el9'), rpmUpdate('kernel', '5.14.0-427.18.1.el9_4', { advisoryIds: ['RHSA-2025:3003'] }), rpmUpdate('bash', '5.1.8-9.el9')],
    );
    const baseline = rhelBaseline([], { ApprovedPatches: ['openssl.x86_64', 'RHSA-2025:3003'] });
    expect(states(facts, baseline)).toEqual({ openssl: 'MISSING', kernel: 'MISSING', bash: 'INSTALLED_OTHER' });
    expect(states(facts, rhelBaseline([], { ApprovedPatches: ['kernel-5.14.0-*'] })).kernel).toBe('MISSING');
  });
});

describe('RejectedPatches', () => {
  it('win over the rules and the approved list: a patch both approved and rejected is rejected', () => {
    const facts = debianFacts([deb('curl', '7.88.1-10')], [debUpdate('curl', '7.88.1-10+deb12u8')]);
    const result = evaluate(facts, debianBaseline([priorityRule(['*'])], { ApprovedPatches: ['curl'], RejectedPatches: ['curl'] }));
    expect(result.install).toEqual([]);
    expect(result.rejectedUpdates).toEqual([{ name: 'curl', arch: 'amd64', version: '7.88.1-10+deb12u8' }]);
  });

  it('BLOCK: an installed rejected package is INSTALLED_REJECTED and non-compliant', () => {
    const facts = debianFacts([deb('telnet', '0.17+2.4-2'), deb('curl', '7.88.1-10')]);
    const result = evaluate(facts, debianBaseline([priorityRule(['*'])], { RejectedPatches: ['telnet'], RejectedPatchesAction: 'BLOCK' }));
    expect(result.patches.find((r) => r.installed.name === 'telnet')).toMatchObject({ state: 'INSTALLED_REJECTED', approval: 'EXPLICIT_REJECTED' });
    expect(result.counts.InstalledRejectedCount).toBe(1);
    expect(result.counts.OtherNonCompliantCount).toBe(1);
    expect(result.compliant).toBe(false);
    expect(result.blockRejected).toBe(true);
  });

  it('ALLOW_AS_DEPENDENCY (the default): an installed rejected package is INSTALLED_OTHER, so InstalledRejectedCount stays 0', () => {
    const facts = debianFacts([deb('telnet', '0.17+2.4-2', { dependency: true }), deb('netcat', '1.10-47')]);
    for (const action of [undefined, 'ALLOW_AS_DEPENDENCY' as const]) {
      const result = evaluate(facts, debianBaseline([], { RejectedPatches: ['telnet', 'netcat'], RejectedPatchesAction: action }));
      expect(result.patches.map((r) => r.state)).toEqual(['INSTALLED_OTHER', 'INSTALLED_OTHER']);
      expect(result.counts.InstalledRejectedCount).toBe(0);
      expect(result.compliant).toBe(true);
      expect(result.blockRejected).toBe(false);
    }
  });

  it('never install a rejected update, under either action, and tell the backend which versions to hold back', () => {
    const facts = debianFacts([deb('openssl', '3.0.11-1~deb12u2')], [debUpdate('openssl', '3.0.15-1~deb12u1')]);
    for (const action of ['ALLOW_AS_DEPENDENCY', 'BLOCK'] as const) {
      const result = evaluate(facts, debianBaseline([priorityRule(['*'])], { RejectedPatches: ['openssl=3.0.15-1~deb12u1'], RejectedPatchesAction: action }));
      expect(result.install).toEqual([]);
      expect(result.rejectedUpdates).toEqual([{ name: 'openssl', arch: 'amd64', version: '3.0.15-1~deb12u1' }]);
      // The installed version is not the rejected one.
      expect(result.patches[0]!.state).toBe('INSTALLED_OTHER');
    }
  });

  it('BLOCK with a rejected installed version and an allowed update: the update is MISSING', () => {
    const facts = rhelFacts([rpm('httpd', '2.4.57-5.el9')], [rpmUpdate('httpd', '2.4.62-1.el9')]);
    const result = evaluate(facts, rhelBaseline([rpmRule([{ Key: 'CLASSIFICATION', Values: ['Security'] }])], { RejectedPatches: ['httpd-2.4.57*'], RejectedPatchesAction: 'BLOCK' }));
    expect(result.patches[0]).toMatchObject({ state: 'MISSING' });
    expect(result.install).toEqual([{ name: 'httpd', arch: 'x86_64', version: '2.4.62-1.el9' }]);
  });
});

describe('patch states', () => {
  it('an approved update newer than the installed version is MISSING, to be installed as that exact version', () => {
    const facts = debianFacts([deb('curl', '7.88.1-10')], [debUpdate('curl', '7.88.1-10+deb12u8', { cveIds: ['CVE-2024-2398'], title: 'curl security update' })]);
    const result = evaluate(facts, debianBaseline([priorityRule(['*'])]));
    expect(result.install).toEqual([{ name: 'curl', arch: 'amd64', version: '7.88.1-10+deb12u8' }]);
    const row = result.patches[0]!;
    expect(row).toMatchObject({ state: 'MISSING', approval: 'APPROVED', security: true });
    expect(row.installed.version).toBe('7.88.1-10');
    expect(patchOf(row)).toMatchObject({ version: '7.88.1-10+deb12u8', cveIds: ['CVE-2024-2398'], title: 'curl security update' });
  });

  it('the newest approved version wins, even when a newer one is not approved yet', () => {
    const facts = rhelFacts(
      [rpm('openssl', '1:3.0.7-25.el9')],
      [rpmUpdate('openssl', '1:3.0.7-27.el9', { releaseDate: NOW - 20 * DAY }), rpmUpdate('openssl', '1:3.0.7-26.el9', { releaseDate: NOW - 40 * DAY }), rpmUpdate('openssl', '1:3.0.7-28.el9', { releaseDate: NOW - DAY })],
    );
    expect(installList(facts, rhelBaseline([rpmRule([{ Key: 'CLASSIFICATION', Values: ['Security'] }], { ApproveAfterDays: 7 })]))).toEqual(['openssl=1:3.0.7-27.el9']);
  });

  it('ignores updates that are not newer than the installed version (version order of the package manager)', () => {
    const installed = deb('curl', '7.88.1-10+deb12u8', { security: true, repository: 'bookworm-security' });
    const facts = debianFacts([installed], [debUpdate('curl', '7.88.1-10+deb12u5'), debUpdate('curl', '7.88.1-10+deb12u8')]);
    const result = evaluate(facts, debianBaseline([priorityRule(['*'])]));
    expect(result.patches.map((r) => r.state)).toEqual(['INSTALLED']);
    expect(result.install).toEqual([]);
  });

  it('ignores updates for packages that are not installed (only installed software is patched)', () => {
    const result = evaluate(debianFacts([deb('curl', '7.88.1-10+deb12u8')], [debUpdate('nginx', '1.22.1-9+deb12u1')]), debianBaseline([priorityRule(['*'])]));
    expect(result.install).toEqual([]);
    expect(result.patches).toHaveLength(1);
  });

  it('an installed version the baseline approves is INSTALLED, any other installed one INSTALLED_OTHER', () => {
    const facts = debianFacts([deb('curl', '7.88.1-10+deb12u8', { security: true, repository: 'bookworm-security' }), deb('bash', '5.2.15-2+b7')]);
    expect(states(facts, debianBaseline([priorityRule(['*'])]))).toEqual({ curl: 'INSTALLED', bash: 'INSTALLED_OTHER' });
  });

  it('an approved update the last Install failed on is FAILED, and still to install', () => {
    const facts = debianFacts([deb('curl', '7.88.1-10'), deb('zlib1g', '1:1.2.13-1')], [debUpdate('curl', '7.88.1-10+deb12u8'), debUpdate('zlib1g', '1:1.2.13-1+deb12u1')]);
    const result = evaluate(facts, debianBaseline([priorityRule(['*'])]), { failed: [{ name: 'curl' }, { name: 'zlib1g', arch: 'arm64' }] });
    expect(result.patches.map((r) => `${r.installed.name}:${r.state}`)).toEqual(['curl:FAILED', 'zlib1g:MISSING']);
    expect(result.counts).toMatchObject({ FailedCount: 1, MissingCount: 1 });
    expect(result.install).toHaveLength(2);
  });

  it('applies updates to the highest installed version of a name and architecture (install-only kernels)', () => {
    const facts = rhelFacts(
      [rpm('kernel', '5.14.0-362.24.1.el9_3'), rpm('kernel', '5.14.0-427.13.1.el9_4')],
      [rpmUpdate('kernel', '5.14.0-427.18.1.el9_4')],
    );
    const result = evaluate(facts, rhelBaseline([rpmRule([{ Key: 'CLASSIFICATION', Values: ['Security'] }])]));
    expect(result.patches.map((r) => `${r.installed.version}:${r.state}`)).toEqual(['5.14.0-362.24.1.el9_3:INSTALLED_OTHER', '5.14.0-427.13.1.el9_4:MISSING']);
    expect(result.install).toEqual([{ name: 'kernel', arch: 'x86_64', version: '5.14.0-427.18.1.el9_4' }]);
  });

  it('matches updates to the installed architecture, or to all/noarch packages', () => {
    const facts = debianFacts(
      [deb('libc6', '2.36-9+deb12u4'), deb('libc6', '2.36-9+deb12u4', { arch: 'i386' }), deb('tzdata', '2024a-0+deb12u1', { arch: 'all' })],
      [debUpdate('libc6', '2.36-9+deb12u9', { arch: 'i386' }), debUpdate('tzdata', '2025a-0+deb12u1', { arch: 'all' })],
    );
    const result = evaluate(facts, debianBaseline([priorityRule(['*'])]));
    expect(result.patches.map((r) => `${r.installed.name}:${r.installed.arch}:${r.state}`)).toEqual(['libc6:amd64:INSTALLED_OTHER', 'libc6:i386:MISSING', 'tzdata:all:MISSING']);
  });
});

describe('pending reboot (self-clearing)', () => {
  const boot = NOW - 2 * DAY;
  const facts = (reboot: NodePackageFacts['reboot']) =>
    debianFacts(
      [
        deb('linux-image-6.1.0-28-amd64', '6.1.119-1', { installedTime: NOW - DAY, security: true }),
        deb('curl', '7.88.1-10+deb12u8', { installedTime: NOW - DAY, security: true }),
        deb('bash', '5.2.15-2+b7', { installedTime: NOW - 300 * DAY }),
      ],
      [],
      { reboot },
    );
  const baseline = debianBaseline([priorityRule(['*'])]);

  it('marks the packages that asked for the reboot INSTALLED_PENDING_REBOOT when the OS names them', () => {
    expect(states(facts({ required: true, lastBootTime: boot, packages: ['linux-image-6.1.0-28-amd64'] }), baseline)).toEqual({
      'linux-image-6.1.0-28-amd64': 'INSTALLED_PENDING_REBOOT',
      curl: 'INSTALLED',
      bash: 'INSTALLED_OTHER',
    });
  });

  it('otherwise marks every package installed since the last boot', () => {
    const result = evaluate(facts({ required: true, lastBootTime: boot }), baseline);
    expect(result.counts).toMatchObject({ InstalledPendingRebootCount: 2, InstalledCount: 0, InstalledOtherCount: 1, SecurityNonCompliantCount: 2 });
    expect(result.compliant).toBe(false);
  });

  it('clears once the node no longer needs a reboot', () => {
    const result = evaluate(facts({ required: false, lastBootTime: boot }), baseline);
    expect(result.counts.InstalledPendingRebootCount).toBe(0);
    expect(result.compliant).toBe(true);
  });
});

describe('InstallOverrideList', () => {
  const facts = debianFacts(
    [deb('curl', '7.88.1-10'), deb('tzdata', '2024a-0+deb12u1'), deb('openssl', '3.0.11-1~deb12u2')],
    [
      debUpdate('curl', '7.88.1-10+deb12u8'),
      debUpdate('tzdata', '2025b-0+deb12u1', { repository: 'bookworm-updates', security: false }),
      debUpdate('openssl', '3.0.15-1~deb12u1'),
    ],
  );
  const baseline = debianBaseline([priorityRule(['*'])], { RejectedPatches: ['openssl'] });

  it('decides what is installed; compliance is still the baseline’s', () => {
    const result = evaluate(facts, baseline, { installOverride: ['tzdata'] });
    expect(result.install).toEqual([{ name: 'tzdata', arch: 'amd64', version: '2025b-0+deb12u1' }]);
    expect(Object.fromEntries(result.patches.map((r) => [r.installed.name, r.state]))).toEqual({ curl: 'MISSING', tzdata: 'INSTALLED_OTHER', openssl: 'INSTALLED_OTHER' });
  });

  it('never installs a rejected package', () => {
    expect(evaluate(facts, baseline, { installOverride: ['openssl', 'curl'] }).install.map((p) => p.name)).toEqual(['curl']);
  });

  it('an empty override installs nothing', () => {
    expect(evaluate(facts, baseline, { installOverride: [] }).install).toEqual([]);
  });
});

describe('counts', () => {
  it('count critical, security and other non-compliant patches as Systems Manager does', () => {
    const facts = rhelFacts(
      [rpm('openssl', '1:3.0.7-27.el9'), rpm('bash', '5.1.8-6.el9'), rpm('telnet', '1:0.17-85.el9'), rpm('vim-minimal', '2:8.2.2637-20.el9')],
      [rpmUpdate('openssl', '1:3.0.7-28.el9'), rpmUpdate('bash', '5.1.8-9.el9', { classification: 'Bugfix', severity: undefined, security: false })],
    );
    const baseline = rhelBaseline(
      [rpmRule([{ Key: 'CLASSIFICATION', Values: ['Security'] }], { ComplianceLevel: 'CRITICAL' }), rpmRule([{ Key: 'CLASSIFICATION', Values: ['Bugfix'] }], { ComplianceLevel: 'MEDIUM' })],
      { RejectedPatches: ['telnet'], RejectedPatchesAction: 'BLOCK' },
    );
    expect(evaluate(facts, baseline).counts).toEqual({
      InstalledCount: 0,
      InstalledOtherCount: 1,
      InstalledPendingRebootCount: 0,
      InstalledRejectedCount: 1,
      MissingCount: 2,
      FailedCount: 0,
      NotApplicableCount: 0,
      // openssl: critical and security; bash: neither; telnet: neither.
      CriticalNonCompliantCount: 1,
      SecurityNonCompliantCount: 1,
      OtherNonCompliantCount: 2,
    });
  });

  it('are complete whatever rows are asked for', () => {
    const facts = debianFacts([deb('curl', '7.88.1-10'), deb('bash', '5.2.15-2+b7')], [debUpdate('curl', '7.88.1-10+deb12u8')]);
    const baseline = debianBaseline([priorityRule(['*'])]);
    const all = evaluate(facts, baseline);
    const none = evaluate(facts, baseline, { detail: 'none' });
    const nonCompliant = evaluate(facts, baseline, { detail: 'nonCompliant' });
    expect(all.patches).toHaveLength(2);
    expect(none.patches).toEqual([]);
    expect(nonCompliant.patches.map((r) => r.installed.name)).toEqual(['curl']);
    expect(none.counts).toEqual(all.counts);
    expect(nonCompliant.install).toEqual(all.install);
  });
});

describe('compiled baselines', () => {
  it('give the same answers when compiled once and reused across nodes', () => {
    const baseline = rhelBaseline([rpmRule([{ Key: 'CLASSIFICATION', Values: ['Security'] }], { ApproveAfterDays: 7 })], { ApprovedPatches: ['bash*'], RejectedPatches: ['telnet'] });
    const compiled = compileBaseline(baseline);
    const nodes = [
      rhelFacts([rpm('openssl', '1:3.0.7-27.el9'), rpm('bash', '5.1.8-6.el9')], [rpmUpdate('openssl', '1:3.0.7-28.el9'), rpmUpdate('bash', '5.1.8-9.el9')]),
      rhelFacts([rpm('telnet', '1:0.17-85.el9')], [rpmUpdate('telnet', '1:0.17-86.el9')], { product: 'RedhatEnterpriseLinux8.10' }),
      rhelFacts([rpm('openssl', '1:3.0.7-28.el9')]),
    ];
    for (const node of [...nodes, ...nodes]) {
      expect(evaluateNode(compiled, node, { now: NOW })).toEqual(evaluateBaseline(node, baseline, { now: NOW }));
    }
  });

  it('give the same answers for facts prepared once (updates joined to installed packages) as for facts as reported', () => {
    const baseline = compileBaseline(debianBaseline([priorityRule(['*'])], { RejectedPatches: ['zlib1g'] }));
    const facts = debianFacts(
      [deb('curl', '7.88.1-10'), deb('zlib1g', '1:1.2.13-1'), deb('libc6', '2.36-9+deb12u4'), deb('libc6', '2.36-9+deb12u4', { arch: 'i386' })],
      [debUpdate('curl', '7.88.1-10+deb12u8'), debUpdate('zlib1g', '1:1.2.13-1+deb12u1'), debUpdate('libc6', '2.36-9+deb12u9', { arch: 'i386' }), debUpdate('nginx', '1.22.1-9+deb12u1')],
    );
    const prepared = prepareNodeFacts(facts);
    expect(prepared.candidates.map((c) => c?.map((u) => `${u.name}:${u.arch}`))).toEqual([['curl:amd64'], ['zlib1g:amd64'], undefined, ['libc6:i386']]);
    for (const now of [NOW, NOW + 400 * DAY]) {
      expect(evaluateNode(baseline, prepared, { now })).toEqual(evaluateNode(baseline, facts, { now }));
    }
  });

  it('are for Linux only', () => {
    expect(() => compileBaseline({ OperatingSystem: 'WINDOWS' })).toThrow(/Linux baselines only/);
    expect(() => compileBaseline({})).toThrow(/WINDOWS/);
  });
});
