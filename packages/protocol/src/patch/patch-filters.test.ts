import { describe, expect, it } from 'vitest';
import type { PatchBaselineRules, PatchRule } from './patch-model.js';
import {
  formatPatchBaselineProblems,
  knownPatchFilterValues,
  parseApproveUntilDate,
  validatePatchBaseline,
  validPatchFilterKeys,
} from './patch-filters.js';

const rule = (filters: { Key: string; Values: string[] }[], extra: Partial<PatchRule> = { ApproveAfterDays: 7 }): PatchRule =>
  ({ PatchFilterGroup: { PatchFilters: filters }, ...extra }) as PatchRule;
const baseline = (os: PatchBaselineRules['OperatingSystem'], rules: PatchRule[], extra: Partial<PatchBaselineRules> = {}): PatchBaselineRules => ({
  OperatingSystem: os,
  ApprovalRules: { PatchRules: rules },
  ...extra,
});
const messages = (b: PatchBaselineRules) => validatePatchBaseline(b).map((p) => `${p.path}: ${p.message}`);

describe('valid filter keys per operating system (DescribePatchProperties, PatchFilter)', () => {
  it('Debian and Ubuntu filter on PRODUCT, PRIORITY and SECTION', () => {
    expect(validPatchFilterKeys('DEBIAN')).toEqual(['PRODUCT', 'PRIORITY', 'SECTION']);
    expect(validPatchFilterKeys('UBUNTU')).toEqual(['PRODUCT', 'PRIORITY', 'SECTION']);
  });

  it.each(['REDHAT_ENTERPRISE_LINUX', 'ROCKY_LINUX', 'ALMA_LINUX', 'CENTOS', 'AMAZON_LINUX_2023', 'SUSE'] as const)(
    '%s filters on PRODUCT, CLASSIFICATION and SEVERITY',
    (os) => {
      expect(validPatchFilterKeys(os)).toEqual(['PRODUCT', 'CLASSIFICATION', 'SEVERITY']);
    },
  );

  it('lists the enumerated values: Debian priorities, RPM and SUSE classifications and severities', () => {
    expect(knownPatchFilterValues('DEBIAN', 'PRIORITY')).toEqual(['Required', 'Important', 'Standard', 'Optional', 'Extra']);
    expect(knownPatchFilterValues('REDHAT_ENTERPRISE_LINUX', 'CLASSIFICATION')).toEqual(['Security', 'Bugfix', 'Enhancement', 'Recommended', 'Newpackage']);
    expect(knownPatchFilterValues('AMAZON_LINUX_2023', 'SEVERITY')).toEqual(['Critical', 'Important', 'Medium', 'Low']);
    expect(knownPatchFilterValues('SUSE', 'CLASSIFICATION')).toEqual(['Security', 'Recommended', 'Optional', 'Feature', 'Document', 'Yast']);
    expect(knownPatchFilterValues('SUSE', 'SEVERITY')).toEqual(['Critical', 'Important', 'Moderate', 'Low']);
    expect(knownPatchFilterValues('DEBIAN', 'SECTION')).toBeUndefined();
  });
});

describe('validatePatchBaseline', () => {
  it('accepts a well-formed baseline for each OS', () => {
    expect(messages(baseline('UBUNTU', [rule([{ Key: 'PRODUCT', Values: ['Ubuntu22.04', 'Ubuntu24.04'] }, { Key: 'PRIORITY', Values: ['Required', 'important'] }, { Key: 'SECTION', Values: ['universe/net'] }], { ApproveAfterDays: 0 })]))).toEqual([]);
    expect(messages(baseline('REDHAT_ENTERPRISE_LINUX', [rule([{ Key: 'PRODUCT', Values: ['RedhatEnterpriseLinux9.4'] }, { Key: 'CLASSIFICATION', Values: ['Security'] }, { Key: 'SEVERITY', Values: ['Critical', 'Moderate'] }])]))).toEqual([]);
    expect(messages(baseline('SUSE', [rule([{ Key: 'CLASSIFICATION', Values: ['Recommended'] }], { ApproveUntilDate: '2025-02-28' })]))).toEqual([]);
  });

  it('refuses a key the OS does not have: SEVERITY on Ubuntu, PRIORITY on RHEL', () => {
    expect(messages(baseline('UBUNTU', [rule([{ Key: 'SEVERITY', Values: ['Critical'] }])]))).toEqual([
      'approvalRules.patchRules.1.member.patchFilterGroup.patchFilters.1.member.key: Filter key SEVERITY is not valid for operating system UBUNTU; valid keys: PRODUCT, PRIORITY, SECTION',
    ]);
    expect(messages(baseline('REDHAT_ENTERPRISE_LINUX', [rule([{ Key: 'PRIORITY', Values: ['Required'] }])]))[0]).toMatch(/PRIORITY is not valid for operating system REDHAT_ENTERPRISE_LINUX/);
  });

  it('refuses keys that are not filter keys at all', () => {
    expect(messages(baseline('DEBIAN', [rule([{ Key: 'COLOUR', Values: ['blue'] }])]))[0]).toMatch(/Member must satisfy enum value set/);
  });

  it('refuses values outside the enumeration, but takes * everywhere', () => {
    expect(messages(baseline('DEBIAN', [rule([{ Key: 'PRIORITY', Values: ['Urgent'] }])]))[0]).toMatch(/'Urgent' is not a valid PRIORITY for operating system DEBIAN/);
    expect(messages(baseline('AMAZON_LINUX_2023', [rule([{ Key: 'SEVERITY', Values: ['Moderate'] }])]))[0]).toMatch(/not a valid SEVERITY/);
    expect(messages(baseline('AMAZON_LINUX_2023', [rule([{ Key: 'SEVERITY', Values: ['*'] }, { Key: 'CLASSIFICATION', Values: ['*'] }])]))).toEqual([]);
  });

  it('checks PRODUCT by its spelling for the OS', () => {
    expect(messages(baseline('DEBIAN', [rule([{ Key: 'PRODUCT', Values: ['Debian12', '*'] }])]))).toEqual([]);
    expect(messages(baseline('DEBIAN', [rule([{ Key: 'PRODUCT', Values: ['Ubuntu22.04'] }])]))[0]).toMatch(/'Ubuntu22.04' is not a valid PRODUCT for operating system DEBIAN/);
    expect(messages(baseline('CENTOS', [rule([{ Key: 'PRODUCT', Values: ['CentOSStream9', 'CentOS7.9'] }])]))).toEqual([]);
  });

  it('checks SECTION only for length (1 to 64)', () => {
    expect(messages(baseline('DEBIAN', [rule([{ Key: 'SECTION', Values: ['x'.repeat(64)] }])]))).toEqual([]);
    expect(messages(baseline('DEBIAN', [rule([{ Key: 'SECTION', Values: ['x'.repeat(65)] }])]))[0]).toMatch(/length between 1 and 64/);
  });

  it('limits a filter group to 4 filters of 1 to 20 values, and a baseline to 10 rules', () => {
    const five = ['PRODUCT', 'PRIORITY', 'SECTION', 'PRIORITY', 'SECTION'].map((Key) => ({ Key, Values: ['*'] }));
    expect(messages(baseline('DEBIAN', [rule(five)]))[0]).toMatch(/less than or equal to 4/);
    expect(messages(baseline('DEBIAN', [rule([{ Key: 'PRIORITY', Values: [] }])]))[0]).toMatch(/between 1 and 20/);
    const eleven = Array.from({ length: 11 }, () => rule([{ Key: 'PRIORITY', Values: ['Required'] }]));
    expect(messages(baseline('DEBIAN', eleven))[0]).toMatch(/approvalRules.patchRules: Member must have length less than or equal to 10/);
  });

  it('needs exactly one of ApproveAfterDays (0 to 360) and ApproveUntilDate (a real YYYY-MM-DD)', () => {
    const f = [{ Key: 'PRIORITY', Values: ['Required'] }];
    expect(messages(baseline('DEBIAN', [rule(f, {})]))[0]).toMatch(/must have ApproveAfterDays or ApproveUntilDate/);
    expect(messages(baseline('DEBIAN', [rule(f, { ApproveAfterDays: 1, ApproveUntilDate: '2025-01-01' })]))[0]).toMatch(/not both/);
    expect(messages(baseline('DEBIAN', [rule(f, { ApproveAfterDays: 361 })]))[0]).toMatch(/integer from 0 to 360/);
    expect(messages(baseline('DEBIAN', [rule(f, { ApproveAfterDays: 360 })]))).toEqual([]);
    expect(messages(baseline('DEBIAN', [rule(f, { ApproveUntilDate: '2025-02-30' })]))[0]).toMatch(/not a valid date/);
    expect(messages(baseline('DEBIAN', [rule(f, { ApproveUntilDate: '25-02-01' })]))[0]).toMatch(/not a valid date/);
  });

  it('checks the compliance levels and RejectedPatchesAction against their enumerations', () => {
    const b = baseline('DEBIAN', [rule([{ Key: 'PRIORITY', Values: ['Required'] }], { ApproveAfterDays: 0, ComplianceLevel: 'SEVERE' as never })], {
      ApprovedPatchesComplianceLevel: 'URGENT' as never,
      RejectedPatchesAction: 'DROP' as never,
    });
    expect(messages(b)).toHaveLength(3);
  });

  it('checks patch lists: at most 50 entries of 1 to 100 characters, in the formats of the OS', () => {
    expect(messages(baseline('DEBIAN', [], { ApprovedPatches: Array.from({ length: 51 }, (_, k) => `pkg${k}`) }))[0]).toMatch(/less than or equal to 50/);
    expect(messages(baseline('DEBIAN', [], { ApprovedPatches: ['x'.repeat(101)] }))[0]).toMatch(/between 1 and 100/);
    expect(messages(baseline('REDHAT_ENTERPRISE_LINUX', [], { RejectedPatches: ['CVE-2024-1234'] }))[0]).toMatch(/rejectedPatches.1.member: .*package names/);
    expect(messages(baseline('REDHAT_ENTERPRISE_LINUX', [], { ApprovedPatches: ['kernel-*-*'] }))[0]).toMatch(/single wildcard/);
  });

  it('checks Sources: Linux only, names, products of the OS, configuration length', () => {
    const source = { Name: 'internal-mirror', Products: ['Ubuntu22.04'], Configuration: 'deb http://mirror.internal/ubuntu jammy main' };
    expect(messages(baseline('UBUNTU', [], { Sources: [source] }))).toEqual([]);
    expect(messages(baseline('UBUNTU', [], { Sources: [{ ...source, Name: 'x' }] }))[0]).toMatch(/sources.1.member.name/);
    expect(messages(baseline('UBUNTU', [], { Sources: [source, source] }))[0]).toMatch(/used more than once/);
    expect(messages(baseline('UBUNTU', [], { Sources: [{ ...source, Products: ['RedhatEnterpriseLinux9'] }] }))[0]).toMatch(/not a valid product/);
    expect(messages(baseline('UBUNTU', [], { Sources: [{ ...source, Configuration: 'x'.repeat(1025) }] }))[0]).toMatch(/between 1 and 1024/);
    expect(messages(baseline('WINDOWS', [], { Sources: [source] }))[0]).toMatch(/Linux operating systems only/);
  });

  it('takes WINDOWS as the default operating system, as Systems Manager does', () => {
    expect(messages({ ApprovalRules: { PatchRules: [rule([{ Key: 'PRIORITY', Values: ['Required'] }])] } })[0]).toMatch(/not valid for operating system WINDOWS/);
  });

  it('formats the problems as a ValidationException message', () => {
    const problems = validatePatchBaseline(baseline('UBUNTU', [rule([{ Key: 'SEVERITY', Values: ['Critical'] }], {})]));
    expect(formatPatchBaselineProblems(problems)).toMatch(/^2 validation errors detected: Filter key SEVERITY .* \(at 'approvalRules.patchRules.1.member.patchFilterGroup.patchFilters.1.member.key'\); A patch rule must have/);
    expect(formatPatchBaselineProblems(problems.slice(0, 1))).toMatch(/^1 validation error detected: /);
  });
});

describe('parseApproveUntilDate', () => {
  it('is the last millisecond of that UTC day, so patches released any time that day are included', () => {
    expect(parseApproveUntilDate('2025-11-16')).toBe(Date.UTC(2025, 10, 16, 23, 59, 59, 999));
  });

  it('refuses dates that do not exist', () => {
    expect(parseApproveUntilDate('2025-02-29')).toBeUndefined();
    expect(parseApproveUntilDate('2024-02-29')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59, 999));
    expect(parseApproveUntilDate('2025-13-01')).toBeUndefined();
  });
});
