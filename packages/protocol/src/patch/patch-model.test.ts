import { describe, expect, it } from 'vitest';
import type { BaselineOverride, PatchBaselineIdentity, GetPatchBaselineResult } from '@aws-sdk/client-ssm';
import { OperatingSystem, PatchAction, PatchComplianceDataState, PatchComplianceLevel, PatchFilterKey } from '@aws-sdk/client-ssm';
import {
  OPERATING_SYSTEMS,
  PATCH_ACTIONS,
  PATCH_COMPLIANCE_LEVELS,
  PATCH_FILTER_KEYS,
  PATCH_STATES,
  isCompliantState,
  nodePackageFactsSchema,
  packageFormatOf,
  patchBaselineRulesSchema,
  patchBaselineSchema,
  type PatchBaselineRules,
} from './patch-model.js';

describe('the model follows @aws-sdk/client-ssm', () => {
  it('has exactly the SDK’s enumerations', () => {
    expect([...OPERATING_SYSTEMS].sort()).toEqual(Object.values(OperatingSystem).sort());
    expect([...PATCH_FILTER_KEYS].sort()).toEqual(Object.values(PatchFilterKey).sort());
    expect([...PATCH_COMPLIANCE_LEVELS].sort()).toEqual(Object.values(PatchComplianceLevel).sort());
    expect([...PATCH_ACTIONS].sort()).toEqual(Object.values(PatchAction).sort());
    expect([...PATCH_STATES].sort()).toEqual(Object.values(PatchComplianceDataState).sort());
  });

  it('is assignable to the SDK’s BaselineOverride (checked by the compiler)', () => {
    const ours: PatchBaselineRules = {
      OperatingSystem: 'UBUNTU',
      ApprovalRules: { PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: 'PRIORITY', Values: ['Required'] }] }, ApproveAfterDays: 0 }] },
      RejectedPatchesAction: 'BLOCK',
    };
    const sdk: BaselineOverride = ours;
    expect(sdk.OperatingSystem).toBe('UBUNTU');
  });

  it('parses a GetPatchBaseline answer and an AWS-RunPatchBaseline BaselineOverride', () => {
    const answer: GetPatchBaselineResult & PatchBaselineIdentity = {
      BaselineId: 'pb-0123456789abcdef0',
      Name: 'prod-ubuntu',
      OperatingSystem: 'UBUNTU',
      GlobalFilters: { PatchFilters: [] },
      ApprovalRules: {
        PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: 'PRIORITY', Values: ['Required', 'Important'] }] }, ComplianceLevel: 'CRITICAL', ApproveAfterDays: 0, EnableNonSecurity: false }],
      },
      ApprovedPatches: ['openssl'],
      ApprovedPatchesComplianceLevel: 'HIGH',
      ApprovedPatchesEnableNonSecurity: false,
      RejectedPatches: [],
      RejectedPatchesAction: 'ALLOW_AS_DEPENDENCY',
      Sources: [{ Name: 'mirror', Products: ['Ubuntu22.04'], Configuration: 'deb http://mirror/ubuntu jammy main' }],
    };
    expect(patchBaselineSchema.parse(answer).ApprovalRules?.PatchRules[0]?.ComplianceLevel).toBe('CRITICAL');
    expect(patchBaselineRulesSchema.safeParse({ OperatingSystem: 'BEOS' }).success).toBe(false);
    expect(patchBaselineRulesSchema.safeParse({ RejectedPatchesAction: 'DROP' }).success).toBe(false);
  });
});

describe('package facts', () => {
  it('parse what a backend reports: installed packages, updates with their metadata, reboot facts', () => {
    const facts = {
      operatingSystem: 'DEBIAN',
      product: 'Debian12',
      installed: [{ name: 'libssl3', arch: 'amd64', version: '3.0.11-1~deb12u2', installedTime: 1717200000000, priority: 'Optional', section: 'libs', dependency: true }],
      updates: [
        {
          name: 'libssl3',
          arch: 'amd64',
          version: '3.0.15-1~deb12u1',
          repository: 'bookworm-security',
          security: true,
          priority: 'Optional',
          section: 'libs',
          cveIds: ['CVE-2024-5535'],
          advisoryIds: ['DSA-5764-1'],
          releaseDate: 1725000000000,
        },
      ],
      reboot: { required: true, lastBootTime: 1717000000000, packages: ['linux-image-6.1.0-28-amd64'] },
      collectedAt: 1730000000000,
    };
    expect(nodePackageFactsSchema.parse(facts)).toEqual(facts);
    expect(nodePackageFactsSchema.safeParse({ ...facts, installed: [{ name: 'x', arch: 'amd64' }] }).success).toBe(false);
  });

  it('maps operating systems to their package format', () => {
    expect(packageFormatOf('UBUNTU')).toBe('deb');
    expect(packageFormatOf('DEBIAN')).toBe('deb');
    expect(packageFormatOf('SUSE')).toBe('rpm');
    expect(packageFormatOf('AMAZON_LINUX_2023')).toBe('rpm');
    expect(packageFormatOf('WINDOWS')).toBeUndefined();
  });

  it('calls INSTALLED and INSTALLED_OTHER compliant (and Windows’ NOT_APPLICABLE not non-compliant), the others not', () => {
    expect(PATCH_STATES.filter(isCompliantState)).toEqual(['INSTALLED', 'INSTALLED_OTHER', 'NOT_APPLICABLE']);
  });
});
