import { describe, expect, it } from 'vitest';
import { patchPlatformOf } from './node-platform.js';
import { parseInstallOverrideList, parsePatchInputs, resolvePatchRequest, type ReadPatchText } from './patch-inputs.js';

const debian = { operatingSystem: 'DEBIAN', product: 'Debian12' } as const;
const signal = new AbortController().signal;
const noFiles: ReadPatchText = async (location) => {
  throw new Error(`no file ${location}`);
};

describe('aws:runPatchBaseline inputs', () => {
  it('takes the document rendered strings, "" meaning not given, with Systems Manager defaults', () => {
    expect(parsePatchInputs({ Operation: 'Scan', SnapshotId: '', InstallOverrideList: '', RebootOption: '', BaselineOverride: '' })).toEqual({ operation: 'Scan', rebootOption: 'RebootIfNeeded' });
    expect(parsePatchInputs({ Operation: 'Install', RebootOption: 'NoReboot', SnapshotId: '{0a1b2c3d-0000-4000-8000-000000000000}' })).toMatchObject({
      rebootOption: 'NoReboot',
      snapshotId: '0a1b2c3d-0000-4000-8000-000000000000',
    });
    expect(parsePatchInputs({ Operation: 'scan' })).toMatch(/Operation must be Scan or Install/);
    expect(parsePatchInputs({ Operation: 'Install', RebootOption: 'Always' })).toMatch(/RebootOption must be/);
    expect(parsePatchInputs({ Operation: 'Scan', OperatingSystem: 'PLAN9' })).toMatch(/OperatingSystem/);
    expect(parsePatchInputs({ Operation: 'Scan', Baseline: { RejectedPatchesAction: 'MAYBE' } })).toMatch(/Input Baseline is not a patch baseline/);
  });

  it('uses the server-sent baseline, a BaselineOverride instead of it, or the default baseline of the node OS', async () => {
    const server = parsePatchInputs({ Operation: 'Scan', BaselineId: 'pb-0123456789abcdef0', PatchGroup: 'web', Baseline: { OperatingSystem: 'DEBIAN', RejectedPatches: ['tend-blocked'] } });
    expect(await resolvePatchRequest(server as never, debian, noFiles, signal)).toMatchObject({
      baselineId: 'pb-0123456789abcdef0',
      override: false,
      patchGroup: 'web',
      baseline: { RejectedPatches: ['tend-blocked'] },
    });

    const override = parsePatchInputs({ Operation: 'Scan', BaselineId: 'pb-0123456789abcdef0', Baseline: { OperatingSystem: 'DEBIAN' }, BaselineOverride: '{"ApprovedPatches":["tend-hello"]}' });
    // An override without OperatingSystem is for the node's own.
    expect(await resolvePatchRequest(override as never, debian, noFiles, signal)).toMatchObject({ override: true, baseline: { OperatingSystem: 'DEBIAN', ApprovedPatches: ['tend-hello'] } });

    const none = parsePatchInputs({ Operation: 'Scan' });
    expect(await resolvePatchRequest(none as never, debian, noFiles, signal)).toMatchObject({ baselineId: 'AWS-DebianDefaultPatchBaseline', override: false, baseline: { OperatingSystem: 'DEBIAN' } });
  });

  it('refuses an override that cannot be read, is not a baseline, or is for another package format', async () => {
    const resolve = (inputs: Record<string, unknown>) => resolvePatchRequest(parsePatchInputs(inputs) as never, debian, noFiles, signal);
    expect(await resolve({ Operation: 'Scan', BaselineOverride: '/etc/tend/baseline.json' })).toBe('no file /etc/tend/baseline.json');
    expect(await resolve({ Operation: 'Scan', BaselineOverride: '{"RejectedPatchesAction":"SOMETIMES"}' })).toMatch(/BaselineOverride is not a patch baseline/);
    expect(await resolve({ Operation: 'Scan', BaselineOverride: '{"OperatingSystem":"REDHAT_ENTERPRISE_LINUX"}' })).toMatch(/for REDHAT_ENTERPRISE_LINUX, but this node runs DEBIAN/);
    expect(await resolve({ Operation: 'Install', InstallOverrideList: 'tend-hello=' })).toMatch(/InstallOverrideList/);
  });

  it('reads InstallOverrideList inline, from a file on the node, in Systems Manager YAML or JSON; Scan ignores it', async () => {
    expect(parseInstallOverrideList("patches:\n  -\n    id: 'tend-hello'\n    title: 'greeting'\n  - id: \"tend-app=1.1-1\"\n")).toEqual(['tend-hello', 'tend-app=1.1-1']);
    expect(parseInstallOverrideList('["tend-hello", {"id": "tend-app"}]')).toEqual(['tend-hello', 'tend-app']);
    expect(parseInstallOverrideList('tend-hello, tend-app\n# a comment\ntend-pinned=1.1-1')).toEqual(['tend-hello', 'tend-app', 'tend-pinned=1.1-1']);
    const files: ReadPatchText = async (location) => (location === '/srv/override.yaml' ? 'patches:\n  - id: tend-hello\n' : '');
    const install = parsePatchInputs({ Operation: 'Install', InstallOverrideList: '/srv/override.yaml' });
    expect(await resolvePatchRequest(install as never, debian, files, signal)).toMatchObject({ installOverride: ['tend-hello'] });
    const scan = parsePatchInputs({ Operation: 'Scan', InstallOverrideList: '/srv/override.yaml' });
    expect(await resolvePatchRequest(scan as never, debian, noFiles, signal)).not.toHaveProperty('installOverride');
  });

  it('names the OperatingSystem and PRODUCT of a system from os-release', () => {
    expect(patchPlatformOf({ ID: 'debian', VERSION_ID: '12' })).toEqual(debian);
    expect(patchPlatformOf({ ID: 'ubuntu', VERSION_ID: '22.04' })).toEqual({ operatingSystem: 'UBUNTU', product: 'Ubuntu22.04' });
    expect(patchPlatformOf({ ID: 'rhel', VERSION_ID: '9.4' })).toEqual({ operatingSystem: 'REDHAT_ENTERPRISE_LINUX', product: 'RedhatEnterpriseLinux9.4' });
    expect(patchPlatformOf({ ID: 'centos', NAME: 'CentOS Stream', VERSION_ID: '9' })).toEqual({ operatingSystem: 'CENTOS', product: 'CentOSStream9' });
    expect(patchPlatformOf({ ID: 'amzn', VERSION_ID: '2023' })).toEqual({ operatingSystem: 'AMAZON_LINUX_2023', product: 'AmazonLinux2023' });
    expect(patchPlatformOf({ ID: 'sles', VERSION_ID: '15.5' })).toEqual({ operatingSystem: 'SUSE', product: 'Suse15.5' });
    expect(patchPlatformOf({ ID: 'arch' })).toBeUndefined();
  });
});
