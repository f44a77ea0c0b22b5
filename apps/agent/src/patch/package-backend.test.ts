import { compareDebianVersions } from '@tend/protocol';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCommandRunner } from './command-runner.js';
import { detectPackageBackendKind } from './index.js';
import { sourceFileStem, sourcesForProduct, summarizeInstall } from './package-backend.js';
import { newerDebianKernel, splitDebianKernelRelease } from './reboot.js';

describe('install summaries', () => {
  it('lists what changed and which requests are in place', () => {
    const before = [
      { name: 'a', arch: 'amd64', version: '1.0-1' },
      { name: 'b', arch: 'all', version: '2.0-1' },
    ];
    const after = [
      { name: 'a', arch: 'amd64', version: '1.1-1' },
      { name: 'b', arch: 'all', version: '2.0-1' },
      { name: 'dep', arch: 'amd64', version: '0.5-1' },
    ];
    expect(
      summarizeInstall(
        'deb',
        [
          { name: 'a', arch: 'amd64', version: '1.1-1' },
          { name: 'b', arch: 'all', version: '2.1-1' },
        ],
        before,
        after,
        'why',
      ),
    ).toEqual({
      installed: [{ name: 'a', arch: 'amd64', version: '1.1-1' }],
      failed: [{ name: 'b', arch: 'all', version: '2.1-1', reason: 'why' }],
      changes: [
        { name: 'a', arch: 'amd64', fromVersion: '1.0-1', toVersion: '1.1-1' },
        { name: 'dep', arch: 'amd64', toVersion: '0.5-1' },
      ],
    });
  });

  it('treats install-only packages (kernels) as a set of versions', () => {
    const before = [
      { name: 'kernel-core', arch: 'x86_64', version: '5.14.0-362.el9' },
      { name: 'kernel-core', arch: 'x86_64', version: '5.14.0-427.el9' },
    ];
    const after = [
      { name: 'kernel-core', arch: 'x86_64', version: '5.14.0-427.el9' },
      { name: 'kernel-core', arch: 'x86_64', version: '5.14.0-503.el9' },
    ];
    const result = summarizeInstall('rpm', [{ name: 'kernel-core', arch: 'x86_64', version: '5.14.0-503.el9' }], before, after, 'x');
    // The oldest kernel was removed to make room (installonly_limit): the change is from it.
    expect(result.changes).toEqual([{ name: 'kernel-core', arch: 'x86_64', fromVersion: '5.14.0-362.el9', toVersion: '5.14.0-503.el9' }]);
    const kept = summarizeInstall('rpm', [], before, [...before, after[1]!], 'x');
    expect(kept.changes).toEqual([{ name: 'kernel-core', arch: 'x86_64', fromVersion: '5.14.0-427.el9', toVersion: '5.14.0-503.el9' }]);
  });
});

describe('baseline sources', () => {
  it('apply to their products or to every product with *', () => {
    const sources = [
      { Name: 'a', Products: ['Ubuntu22.04'], Configuration: 'x' },
      { Name: 'b', Products: ['*'], Configuration: 'y' },
      { Name: 'c', Products: ['Debian12', 'ubuntu22.04'], Configuration: 'z' },
    ];
    expect(sourcesForProduct(sources, 'Ubuntu22.04').map((s) => s.Name)).toEqual(['a', 'b', 'c']);
    expect(sourcesForProduct(sources, 'Debian12').map((s) => s.Name)).toEqual(['b', 'c']);
  });

  it('get file names that cannot leave their directory', () => {
    expect(sourceFileStem({ Name: '../../etc/passwd', Products: [], Configuration: '' }, 0)).toBe('tend-patch-_.._etc_passwd');
    expect(sourceFileStem({ Name: '...', Products: [], Configuration: '' }, 3)).toBe('tend-patch-source-3');
  });
});

describe('kernels', () => {
  it('split Debian and Ubuntu kernel releases into version and flavour', () => {
    expect(splitDebianKernelRelease('6.1.0-18-amd64')).toEqual({ version: '6.1.0-18', flavour: 'amd64' });
    expect(splitDebianKernelRelease('6.1.0-18-cloud-amd64')).toEqual({ version: '6.1.0-18', flavour: 'cloud-amd64' });
    expect(splitDebianKernelRelease('5.15.0-105-generic')).toEqual({ version: '5.15.0-105', flavour: 'generic' });
    expect(newerDebianKernel('5.15.0-105-generic', ['5.15.0-105-generic', '5.15.0-112-generic', '6.8.0-31-generic'], compareDebianVersions)).toBe('6.8.0-31-generic');
    expect(newerDebianKernel('6.8.0-31-generic', ['5.15.0-112-generic', '6.8.0-31-generic'], compareDebianVersions)).toBeUndefined();
  });
});

describe('package manager detection', () => {
  it('knows the package manager by the programs in the root', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'tend-detect-'));
    try {
      const runner = createCommandRunner({ systemRoot: root });
      expect(await detectPackageBackendKind(runner)).toBeUndefined();
      await mkdir(path.join(root, 'usr/bin'), { recursive: true });
      await writeFile(path.join(root, 'usr/bin/yum'), '');
      expect(await detectPackageBackendKind(runner)).toBe('yum');
      await writeFile(path.join(root, 'usr/bin/dnf'), '');
      expect(await detectPackageBackendKind(runner)).toBe('dnf');
      await writeFile(path.join(root, 'usr/bin/zypper'), '');
      expect(await detectPackageBackendKind(runner)).toBe('zypper');
      await writeFile(path.join(root, 'usr/bin/apt-get'), '');
      await writeFile(path.join(root, 'usr/bin/dpkg-query'), '');
      expect(await detectPackageBackendKind(runner)).toBe('apt');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
