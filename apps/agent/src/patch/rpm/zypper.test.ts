import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordedRunner } from '../testing/recorded-runner.js';
import { parseRpmQuery, RPM_QUERY_COMMAND } from './rpm-parse.js';
import { createZypperBackend, zypperCommands, zypperLocks, zyppRepoFile } from './zypper-backend.js';
import { parseZypperPatchInfo, parseZypperUpdatesXml, zypperUpdatesFrom } from './zypper-parse.js';

/**
 * zypper does not run on Tend's test machine: these tests use outputs
 * recorded in fixtures/ after SLES 15 SP5 (zypper 1.14).
 */
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const join = (argv: readonly string[]) => argv.join(' ');
const signal = () => new AbortController().signal;

const PATCHES = [
  'SUSE-SLE-Module-Basesystem-15-SP5-2024-1337',
  'SUSE-SLE-Module-Basesystem-15-SP5-2024-1702',
  'SUSE-SLE-Module-Basesystem-15-SP5-2024-1500',
];

describe('zypper output', () => {
  it('reads package updates from list-updates -t package XML', () => {
    const updates = parseZypperUpdatesXml(fixture('sles15-zypper-list-updates-package.xml'));
    expect(updates).toHaveLength(4);
    expect(updates[0]).toEqual({
      kind: 'package',
      name: 'libopenssl1_1',
      edition: '1.1.1l-150500.17.28.1',
      arch: 'x86_64',
      editionOld: '1.1.1l-150500.17.19.1',
      summary: 'Secure Sockets and Transport Layer Security',
      repository: 'Basesystem_Module_15_SP5_x86_64:SLE-Module-Basesystem15-SP5-Updates',
      cveIds: [],
      bugzillaIds: [],
    });
    expect(updates[3]!.summary).toBe('Timezone Descriptions & rules');
  });

  it('reads patches: category, severity, reboot, issue date and issues', () => {
    const patches = parseZypperUpdatesXml(fixture('sles15-zypper-list-updates-patch.xml'));
    expect(patches.map((p) => p.name)).toEqual(PATCHES);
    expect(patches[0]).toMatchObject({
      kind: 'patch',
      status: 'needed',
      category: 'security',
      severity: 'important',
      rebootSuggested: false,
      summary: 'Security update for openssl-1_1',
      issued: 1714435200_000,
      cveIds: ['CVE-2024-2511'],
      bugzillaIds: ['1222548'],
    });
    expect(patches[1]).toMatchObject({ rebootSuggested: true, cveIds: ['CVE-2024-26745', 'CVE-2024-26747'] });
    expect(patches[2]).toMatchObject({ category: 'recommended', severity: 'moderate', cveIds: [] });
  });

  it('reads patch info: the package versions each patch brings, without source packages', () => {
    const infos = parseZypperPatchInfo(fixture('sles15-zypper-info-patch.txt'));
    expect(infos.map((i) => i.name)).toEqual(PATCHES);
    expect(infos[0]).toEqual({
      name: 'SUSE-SLE-Module-Basesystem-15-SP5-2024-1337',
      repository: 'SLE-Module-Basesystem15-SP5-Updates',
      category: 'security',
      severity: 'important',
      created: Date.parse('2024-04-30T00:00:00Z'),
      rebootSuggested: false,
      summary: 'Security update for openssl-1_1',
      fixes: [
        { name: 'libopenssl-1_1-devel', arch: 'x86_64', edition: '1.1.1l-150500.17.25.1' },
        { name: 'libopenssl1_1', arch: 'x86_64', edition: '1.1.1l-150500.17.25.1' },
        { name: 'libopenssl1_1-hmac', arch: 'x86_64', edition: '1.1.1l-150500.17.25.1' },
        { name: 'openssl-1_1', arch: 'x86_64', edition: '1.1.1l-150500.17.25.1' },
        { name: 'openssl-1_1-doc', arch: 'noarch', edition: '1.1.1l-150500.17.25.1' },
      ],
      cveIds: ['CVE-2024-2511'],
      bugzillaIds: ['1222548'],
    });
    expect(infos[1]).toMatchObject({ rebootSuggested: true, cveIds: ['CVE-2024-26745', 'CVE-2024-26747'], bugzillaIds: ['1220830', '1222609'] });
  });

  it('classifies package versions by the patches that bring them', () => {
    const updates = zypperUpdatesFrom(
      parseRpmQuery(fixture('sles15-rpm-qa.txt')),
      parseZypperUpdatesXml(fixture('sles15-zypper-list-updates-package.xml')),
      parseZypperUpdatesXml(fixture('sles15-zypper-list-updates-patch.xml')),
      parseZypperPatchInfo(fixture('sles15-zypper-info-patch.txt')),
    );
    const by = Object.fromEntries(updates.map((u) => [`${u.name}.${u.arch}=${u.version}`, u]));
    expect(Object.keys(by).sort()).toEqual([
      'kernel-default.x86_64=5.14.21-150500.55.65.1',
      'libopenssl1_1.x86_64=1.1.1l-150500.17.25.1',
      'libopenssl1_1.x86_64=1.1.1l-150500.17.28.1',
      'openssl-1_1.x86_64=1.1.1l-150500.17.25.1',
      'openssl-1_1.x86_64=1.1.1l-150500.17.28.1',
      'timezone.x86_64=2024a-150000.75.28.1',
    ]);
    // The security fix is its own version, older than zypper's candidate.
    expect(by['libopenssl1_1.x86_64=1.1.1l-150500.17.25.1']).toEqual({
      name: 'libopenssl1_1',
      arch: 'x86_64',
      version: '1.1.1l-150500.17.25.1',
      installedVersion: '1.1.1l-150500.17.19.1',
      security: true,
      repository: 'Basesystem_Module_15_SP5_x86_64:SLE-Module-Basesystem15-SP5-Updates',
      classification: 'Security',
      severity: 'Important',
      advisoryIds: ['SUSE-SLE-Module-Basesystem-15-SP5-2024-1337'],
      cveIds: ['CVE-2024-2511'],
      bugzillaIds: ['1222548'],
      releaseDate: 1714435200_000,
      title: 'Security update for openssl-1_1',
    });
    expect(by['libopenssl1_1.x86_64=1.1.1l-150500.17.28.1']).toMatchObject({ security: false, title: 'Secure Sockets and Transport Layer Security' });
    expect(by['libopenssl1_1.x86_64=1.1.1l-150500.17.28.1']!.classification).toBeUndefined();
    expect(by['kernel-default.x86_64=5.14.21-150500.55.65.1']).toMatchObject({ security: true, rebootRequired: true, classification: 'Security' });
    expect(by['timezone.x86_64=2024a-150000.75.28.1']).toMatchObject({ security: false, classification: 'Recommended', severity: 'Moderate' });
  });
});

describe('zypper commands', () => {
  it('installs exact editions non-interactively, without recommends', () => {
    expect(zypperCommands.install([{ name: 'libopenssl1_1', arch: 'x86_64', version: '1.1.1l-150500.17.25.1' }])).toEqual([
      'zypper',
      '--non-interactive',
      '--no-color',
      'install',
      '--no-recommends',
      '--auto-agree-with-licenses',
      '--',
      'libopenssl1_1.x86_64=1.1.1l-150500.17.25.1',
    ]);
    expect(zypperCommands.packageUpdates).toEqual(['zypper', '--non-interactive', '--no-color', '--xmlout', 'list-updates', '-t', 'package']);
    expect(zyppRepoFile({ Name: 'x', Products: ['*'], Configuration: '[x]\nbaseurl=http://x' }, 'tend-patch-x').systemPath).toBe('/etc/zypp/repos.d/tend-patch-x.repo');
  });

  it('writes locks for blocked packages', () => {
    expect(zypperLocks([{ name: 'timezone', arch: 'x86_64', version: '2024a' }])).toContain('type: package\nmatch_type: exact\ncase_sensitive: on\nsolvable_name: timezone\n');
  });
});

describe('zypper backend on recorded outputs', () => {
  const scanAnswers = {
    [join(RPM_QUERY_COMMAND)]: { stdout: fixture('sles15-rpm-qa.txt') },
    [join(zypperCommands.packageUpdates)]: { stdout: fixture('sles15-zypper-list-updates-package.xml') },
    // 100: patches are needed — information, not failure.
    [join(zypperCommands.patches)]: { stdout: fixture('sles15-zypper-list-updates-patch.xml'), exitCode: 100 },
    [join(zypperCommands.patchInfo(PATCHES))]: { stdout: fixture('sles15-zypper-info-patch.txt') },
  };

  it('scans with three commands', async () => {
    const runner = recordedRunner(scanAnswers);
    expect(await createZypperBackend({ runner }).listUpdates(signal())).toHaveLength(6);
    expect(runner.calls).toHaveLength(4);
  });

  it('locks blocked packages for the install only, and takes exit 102 as a reboot request', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'tend-zypp-'));
    try {
      await mkdir(path.join(root, 'etc/zypp'), { recursive: true });
      await writeFile(path.join(root, 'etc/zypp/locks'), 'type: package\nsolvable_name: kernel-default-base\n');
      const wanted = [{ name: 'kernel-default', arch: 'x86_64', version: '5.14.21-150500.55.65.1' }];
      const after = fixture('sles15-rpm-qa.txt') + 'kernel-default\t(none)\t5.14.21\t150500.55.65.1\tx86_64\t1716300000\tThe Standard Kernel\n';
      let locksDuringInstall = '';
      const runner = recordedRunner(
        {
          [join(RPM_QUERY_COMMAND)]: (nth) => ({ stdout: nth === 1 ? fixture('sles15-rpm-qa.txt') : after }),
          [join(zypperCommands.install(wanted))]: () => {
            locksDuringInstall = readFileSync(path.join(root, 'etc/zypp/locks'), 'utf8');
            return { stdout: 'Installing: kernel-default-5.14.21-150500.55.65.1 [done]\n', exitCode: 102 };
          },
          [join(zypperCommands.needsRebooting)]: { exitCode: 0 },
        },
        root,
      );
      const result = await createZypperBackend({ runner, bootTime: async () => 7 }).install(wanted, signal(), { blocked: [{ name: 'timezone', arch: 'x86_64', version: '2024a-150000.75.28.1' }] });
      expect(result.installed).toEqual(wanted);
      expect(result.failed).toEqual([]);
      // Install-only: the new kernel sits beside the old one.
      expect(result.changes).toEqual([{ name: 'kernel-default', arch: 'x86_64', fromVersion: '5.14.21-150500.55.52.1', toVersion: '5.14.21-150500.55.65.1' }]);
      expect(result.rebootRequired).toBe(true);
      expect(locksDuringInstall).toContain('solvable_name: kernel-default-base');
      expect(locksDuringInstall).toContain('solvable_name: timezone');
      expect(await readFile(path.join(root, 'etc/zypp/locks'), 'utf8')).toBe('type: package\nsolvable_name: kernel-default-base\n');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('reads a reboot from libzypp’s flag file or zypper needs-rebooting', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'tend-zypp-'));
    try {
      const runner = recordedRunner({ [join(zypperCommands.needsRebooting)]: (nth) => ({ exitCode: nth === 2 ? 102 : 0 }) }, root);
      const backend = createZypperBackend({ runner, bootTime: async () => 7 });
      expect(await backend.rebootFacts(signal())).toEqual({ required: false, lastBootTime: 7 });
      expect(await backend.rebootFacts(signal())).toEqual({ required: true, lastBootTime: 7 });
      await mkdir(path.join(root, 'run'), { recursive: true });
      await writeFile(path.join(root, 'run/reboot-needed'), '');
      expect((await backend.rebootFacts(signal())).required).toBe(true);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
