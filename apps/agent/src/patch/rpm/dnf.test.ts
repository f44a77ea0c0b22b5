import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { recordedRunner } from '../testing/recorded-runner.js';
import { createDnfBackend, dnfCommands, yumRepoFile } from './dnf-backend.js';
import { dnfUpdatesFrom, parseCheckUpdate, parseInstallReasons, parseNeedsRestarting, parseUpdateinfoInfo, parseUpdateinfoList } from './dnf-parse.js';
import { evr, formatNevra, newerRpmKernel, parseNevra, parseRpmQuery, RPM_QUERY_COMMAND } from './rpm-parse.js';

/**
 * dnf and yum do not run on Tend's test machine: these tests use outputs
 * recorded in fixtures/ after RHEL 9.4 (dnf 4.14) and Amazon Linux 2023.
 */
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const join = (argv: readonly string[]) => argv.join(' ');
const signal = () => new AbortController().signal;

describe('rpm', () => {
  it('reads installed packages with epochs, install times and summaries, without gpg-pubkey', () => {
    const installed = parseRpmQuery(fixture('rhel9-rpm-qa.txt'));
    expect(installed.find((p) => p.name === 'openssl')).toEqual({
      name: 'openssl',
      arch: 'x86_64',
      version: '1:3.0.7-24.el9',
      installedTime: 1714000100_000,
      title: 'Utility from the general purpose cryptography library with TLS implementation',
    });
    expect(installed.find((p) => p.name === 'bash')?.version).toBe('5.1.8-9.el9');
    expect(installed.filter((p) => p.name === 'kernel-core').map((p) => p.version)).toEqual(['5.14.0-427.13.1.el9_4', '5.14.0-362.24.1.el9_3']);
    expect(installed.filter((p) => p.name === 'glibc').map((p) => p.arch)).toEqual(['i686', 'x86_64']);
    expect(installed.some((p) => p.name === 'gpg-pubkey')).toBe(false);
  });

  it('splits and writes NEVRAs', () => {
    expect(parseNevra('bind-libs-32:9.16.23-15.el9_4.2.x86_64')).toEqual({ name: 'bind-libs', evr: '32:9.16.23-15.el9_4.2', arch: 'x86_64' });
    expect(parseNevra('python3-botocore-1.34.90-1.amzn2023.noarch')).toEqual({ name: 'python3-botocore', evr: '1.34.90-1.amzn2023', arch: 'noarch' });
    expect(parseNevra('nonsense')).toBeUndefined();
    expect(formatNevra('openssl', '1:3.0.7-27.el9', 'x86_64')).toBe('openssl-1:3.0.7-27.el9.x86_64');
    expect(evr('(none)', '1.0', '1')).toBe('1.0-1');
    expect(evr('0', '1.0', '1')).toBe('1.0-1');
    expect(evr('2', '1.0', '1')).toBe('2:1.0-1');
  });

  it('finds a newer installed kernel than the running one', () => {
    const installed = ['5.14.0-427.13.1.el9_4.x86_64', '5.14.0-362.24.1.el9_3.x86_64', 'package kernel is not installed'];
    expect(newerRpmKernel('5.14.0-362.24.1.el9_3.x86_64', installed)).toBe('5.14.0-427.13.1.el9_4.x86_64');
    expect(newerRpmKernel('5.14.0-427.13.1.el9_4.x86_64', installed)).toBeUndefined();
    expect(newerRpmKernel('6.1.90-99.173.amzn2023.x86_64', ['6.1.92-99.174.amzn2023.x86_64'])).toBe('6.1.92-99.174.amzn2023.x86_64');
  });
});

describe('dnf output', () => {
  it('reads check-update, wrapped lines included, and stops at obsoletes', () => {
    const rows = parseCheckUpdate(fixture('rhel9-dnf-check-update.txt'));
    expect(rows).toHaveLength(10);
    expect(rows[0]).toEqual({ name: 'NetworkManager', arch: 'x86_64', evr: '1:1.46.0-8.el9_4', repository: 'baseos' });
    expect(rows.find((r) => r.name === 'python3-requests-toolbelt-with-a-long-name')).toEqual({
      name: 'python3-requests-toolbelt-with-a-long-name',
      arch: 'noarch',
      evr: '0.9.1-20.el9',
      repository: 'appstream',
    });
    expect(rows.some((r) => r.name.startsWith('grub2'))).toBe(false);
    // Notices between package lines are skipped.
    expect(parseCheckUpdate('Last metadata expiration check: 0:01:02 ago on Mon 27 May 2024.\nSecurity: kernel-core-5.14.0-427.18.1.el9_4.x86_64 is an installed security update\nbash.x86_64 5.1.8-10.el9 baseos\n')).toEqual([
      { name: 'bash', arch: 'x86_64', evr: '5.1.8-10.el9', repository: 'baseos' },
    ]);
  });

  it('reads updateinfo list: advisory, type or severity, package', () => {
    const rows = parseUpdateinfoList(fixture('rhel9-dnf-updateinfo-list.txt'));
    expect(rows).toHaveLength(11);
    expect(rows[0]).toEqual({ advisoryId: 'RHBA-2024:2345', type: 'bugfix', name: 'NetworkManager', evr: '1:1.46.0-8.el9_4', arch: 'x86_64' });
    expect(rows[1]).toEqual({ advisoryId: 'RHSA-2024:3306', type: 'security', severity: 'Important', name: 'bind-libs', evr: '32:9.16.23-15.el9_4.2', arch: 'x86_64' });
    expect(parseUpdateinfoList(fixture('al2023-dnf-updateinfo-list.txt'))[1]).toMatchObject({ advisoryId: 'ALAS2023-2024-600', type: 'security', severity: 'Medium' });
  });

  it('reads updateinfo info: type, severity, date, CVEs, bugs, title', () => {
    const advisories = parseUpdateinfoInfo(fixture('rhel9-dnf-updateinfo-info.txt'));
    expect(advisories.size).toBe(7);
    expect(advisories.get('RHSA-2024:3306')).toEqual({
      id: 'RHSA-2024:3306',
      type: 'security',
      severity: 'Important',
      updated: Date.parse('2024-05-23T00:00:00Z'),
      title: 'bind security update',
      cveIds: ['CVE-2023-4408', 'CVE-2023-50387'],
      bugzillaIds: ['2263896', '2263897'],
    });
    // "Severity: None" is no severity.
    expect(advisories.get('RHBA-2024:2345')).toEqual({
      id: 'RHBA-2024:2345',
      type: 'bugfix',
      updated: Date.parse('2024-04-30T00:00:00Z'),
      title: 'NetworkManager bug fix and enhancement update',
      cveIds: [],
      bugzillaIds: ['2253419'],
    });
  });

  it('reads install reasons and needs-restarting', () => {
    const deps = parseInstallReasons(fixture('rhel9-dnf-repoquery-reasons.txt'));
    expect([...deps].sort()).toEqual(['bind-libs.x86_64', 'glibc.i686', 'kernel-core.x86_64', 'openssl-libs.x86_64', 'python3-requests-toolbelt-with-a-long-name.noarch', 'tzdata.noarch']);
    expect(parseNeedsRestarting(fixture('rhel9-needs-restarting-reboot.txt'))).toEqual(['glibc', 'kernel']);
    expect(parseNeedsRestarting(fixture('rhel9-needs-restarting-none.txt'))).toEqual([]);
  });

  it('turns the answers into updates: every advised version, classified by its most important advisory', () => {
    const updates = dnfUpdatesFrom(
      parseRpmQuery(fixture('rhel9-rpm-qa.txt')),
      parseCheckUpdate(fixture('rhel9-dnf-check-update.txt')),
      parseUpdateinfoList(fixture('rhel9-dnf-updateinfo-list.txt')),
      parseUpdateinfoInfo(fixture('rhel9-dnf-updateinfo-info.txt')),
    );
    const by = Object.fromEntries(updates.map((u) => [`${u.name}.${u.arch}=${u.version}`, u]));
    expect(Object.keys(by).sort()).toEqual([
      'NetworkManager.x86_64=1:1.46.0-8.el9_4',
      'bind-libs.x86_64=32:9.16.23-15.el9_4.2',
      'glibc.i686=2.34-100.el9_4.2',
      'glibc.x86_64=2.34-100.el9_4.2',
      'kernel-core.x86_64=5.14.0-427.18.1.el9_4',
      'kernel.x86_64=5.14.0-427.18.1.el9_4',
      'openssl-libs.x86_64=1:3.0.7-25.el9',
      'openssl-libs.x86_64=1:3.0.7-27.el9',
      'openssl.x86_64=1:3.0.7-25.el9',
      'openssl.x86_64=1:3.0.7-27.el9',
      'python3-requests-toolbelt-with-a-long-name.noarch=0.9.1-20.el9',
      'tzdata.noarch=2024a-1.el9',
    ]);
    expect(by['bind-libs.x86_64=32:9.16.23-15.el9_4.2']).toEqual({
      name: 'bind-libs',
      arch: 'x86_64',
      version: '32:9.16.23-15.el9_4.2',
      installedVersion: '32:9.16.23-15.el9',
      security: true,
      repository: 'appstream',
      classification: 'Security',
      severity: 'Important',
      cveIds: ['CVE-2023-4408', 'CVE-2023-50387'],
      advisoryIds: ['RHSA-2024:3306'],
      bugzillaIds: ['2263896', '2263897'],
      releaseDate: Date.parse('2024-05-23T00:00:00Z'),
      title: 'bind security update',
    });
    // An older fix superseded by a newer advisory is still offered, with its own advisory.
    expect(by['openssl.x86_64=1:3.0.7-25.el9']).toMatchObject({ security: true, severity: 'Low', advisoryIds: ['RHSA-2024:1111'], cveIds: ['CVE-2023-3817'] });
    expect(by['openssl.x86_64=1:3.0.7-25.el9']!.repository).toBeUndefined();
    expect(by['openssl.x86_64=1:3.0.7-27.el9']).toMatchObject({ severity: 'Moderate', repository: 'baseos', releaseDate: Date.parse('2024-04-30T00:00:00Z') });
    expect(by['NetworkManager.x86_64=1:1.46.0-8.el9_4']).toMatchObject({ security: false, classification: 'Bugfix', advisoryIds: ['RHBA-2024:2345'] });
    expect(by['NetworkManager.x86_64=1:1.46.0-8.el9_4']!.severity).toBeUndefined();
    expect(by['tzdata.noarch=2024a-1.el9']).toMatchObject({ classification: 'Enhancement', security: false });
    // Without an advisory: no classification at all (the default RHEL baseline does not approve it).
    expect(by['python3-requests-toolbelt-with-a-long-name.noarch=0.9.1-20.el9']).toEqual({
      name: 'python3-requests-toolbelt-with-a-long-name',
      arch: 'noarch',
      version: '0.9.1-20.el9',
      installedVersion: '0.9.1-19.el9',
      security: false,
      repository: 'appstream',
    });
    // Kernels count from the newest installed one; core packages need a reboot.
    expect(by['kernel-core.x86_64=5.14.0-427.18.1.el9_4']).toMatchObject({ installedVersion: '5.14.0-427.13.1.el9_4', rebootRequired: true });
    expect(by['glibc.i686=2.34-100.el9_4.2']).toMatchObject({ rebootRequired: true, security: true });
    expect(by['bind-libs.x86_64=32:9.16.23-15.el9_4.2']!.rebootRequired).toBeUndefined();
  });

  it('ignores advisories for packages that are not installed (Amazon Linux 2023)', () => {
    const installed = [
      { name: 'curl-minimal', arch: 'x86_64', version: '8.5.0-1.amzn2023.0.2' },
      { name: 'libcurl-minimal', arch: 'x86_64', version: '8.5.0-1.amzn2023.0.2' },
      { name: 'python3-botocore', arch: 'noarch', version: '1.34.80-1.amzn2023' },
    ];
    const updates = dnfUpdatesFrom(installed, parseCheckUpdate(fixture('al2023-dnf-check-update.txt')), parseUpdateinfoList(fixture('al2023-dnf-updateinfo-list.txt')), new Map());
    expect(updates.map((u) => [u.name, u.security, u.severity ?? null, u.classification ?? null, u.repository])).toEqual([
      ['curl-minimal', false, null, null, 'amazonlinux'],
      ['libcurl-minimal', true, 'Medium', 'Security', 'amazonlinux'],
      ['python3-botocore', false, null, 'Bugfix', 'amazonlinux'],
    ]);
  });
});

describe('dnf commands', () => {
  it('builds exact installs without weak dependencies, keeping blocked packages out', () => {
    const { install } = dnfCommands('dnf');
    expect(install([{ name: 'openssl', arch: 'x86_64', version: '1:3.0.7-25.el9' }], [{ name: 'bind-libs', arch: 'x86_64', version: '32:9.16.23-15.el9_4.2' }])).toEqual([
      'dnf',
      '-q',
      '-y',
      '--setopt=install_weak_deps=False',
      '--exclude=bind-libs',
      'install',
      '--',
      'openssl-1:3.0.7-25.el9.x86_64',
    ]);
    expect(dnfCommands('yum').install([{ name: 'bash', arch: 'x86_64', version: '4.2.46-35.el7_9' }])).toEqual(['yum', '-q', '-y', 'update', '--', 'bash-4.2.46-35.el7_9.x86_64']);
    expect(dnfCommands('yum').advisoryList).toEqual(['yum', '-q', 'updateinfo', 'list', 'updates']);
    expect(dnfCommands('yum').needsRestarting).toEqual(['needs-restarting', '-r']);
  });

  it('writes a baseline source as a .repo file', () => {
    expect(yumRepoFile({ Name: 'internal', Products: ['*'], Configuration: '[internal]\nname=Internal\nbaseurl=https://repo.example.com/el9\nenabled=1' }, 'tend-patch-internal')).toEqual({
      systemPath: '/etc/yum.repos.d/tend-patch-internal.repo',
      content: '[internal]\nname=Internal\nbaseurl=https://repo.example.com/el9\nenabled=1',
    });
  });
});

describe('dnf backend on recorded outputs', () => {
  const commands = dnfCommands('dnf');
  const baseAnswers = {
    [join(RPM_QUERY_COMMAND)]: { stdout: fixture('rhel9-rpm-qa.txt') },
    [join(commands.installReasons!)]: { stdout: fixture('rhel9-dnf-repoquery-reasons.txt') },
    [join(commands.checkUpdate)]: { stdout: fixture('rhel9-dnf-check-update.txt'), exitCode: 100 },
    [join(commands.advisoryList)]: { stdout: fixture('rhel9-dnf-updateinfo-list.txt') },
    [join(commands.advisoryInfo)]: { stdout: fixture('rhel9-dnf-updateinfo-info.txt') },
    [join(commands.refresh)]: {},
  };

  it('scans: installed with dependency marks, updates through check-update and updateinfo', async () => {
    const runner = recordedRunner(baseAnswers);
    const backend = createDnfBackend({ runner });
    await backend.refreshMetadata(signal());
    const installed = await backend.listInstalled(signal());
    expect(installed.find((p) => p.name === 'openssl-libs')?.dependency).toBe(true);
    expect(installed.find((p) => p.name === 'openssl')?.dependency).toBeUndefined();
    expect(await backend.listUpdates(signal())).toHaveLength(12);
    expect(runner.calls.map(join)).toContain('dnf -q -y makecache --refresh');
  });

  it('fails the scan when check-update fails (exit 1), rather than report no updates', async () => {
    const runner = recordedRunner({ ...baseAnswers, [join(commands.checkUpdate)]: { stderr: 'Error: Failed to download metadata for repo baseos', exitCode: 1 } });
    await expect(createDnfBackend({ runner }).listUpdates(signal())).rejects.toThrow(/Failed to download metadata/);
  });

  it('installs and reads back what changed; a failed transaction names the reason', async () => {
    const after = fixture('rhel9-rpm-qa.txt').replace('openssl\t1\t3.0.7\t24.el9', 'openssl\t1\t3.0.7\t25.el9');
    const wanted = [
      { name: 'openssl', arch: 'x86_64', version: '1:3.0.7-25.el9' },
      { name: 'tzdata', arch: 'noarch', version: '2024a-1.el9' },
    ];
    const runner = recordedRunner({
      ...baseAnswers,
      [join(RPM_QUERY_COMMAND)]: (nth) => ({ stdout: nth === 1 ? fixture('rhel9-rpm-qa.txt') : after }),
      [join(commands.install(wanted))]: { stdout: 'Error: Transaction test error:\n  file /usr/share/zoneinfo conflicts\n', exitCode: 1 },
      [join(commands.needsRestarting)]: { stdout: fixture('rhel9-needs-restarting-none.txt'), exitCode: 0 },
    });
    const result = await createDnfBackend({ runner, bootTime: async () => 1 }).install(wanted, signal());
    expect(result.installed).toEqual([{ name: 'openssl', arch: 'x86_64', version: '1:3.0.7-25.el9' }]);
    expect(result.failed).toEqual([{ name: 'tzdata', arch: 'noarch', version: '2024a-1.el9', reason: 'Error: Transaction test error:' }]);
    expect(result.changes).toEqual([{ name: 'openssl', arch: 'x86_64', fromVersion: '1:3.0.7-24.el9', toVersion: '1:3.0.7-25.el9' }]);
    expect(result.rebootRequired).toBe(false);
  });

  it('reports a reboot from needs-restarting, or from a newer kernel when needs-restarting is missing', async () => {
    const withTool = recordedRunner({ [join(commands.needsRestarting)]: { stdout: fixture('rhel9-needs-restarting-reboot.txt'), exitCode: 1 } });
    expect(await createDnfBackend({ runner: withTool, bootTime: async () => 5 }).rebootFacts(signal())).toEqual({ required: true, lastBootTime: 5, packages: ['glibc', 'kernel'] });

    const withoutTool = recordedRunner({
      [join(commands.needsRestarting)]: { stderr: 'No such command: needs-restarting.', exitCode: 2 },
      [join(commands.kernels)]: { stdout: '5.14.0-427.13.1.el9_4.x86_64\n5.14.0-362.24.1.el9_3.x86_64\n' },
    });
    const facts = (running: string) => createDnfBackend({ runner: withoutTool, runningKernel: running, bootTime: async () => 5 }).rebootFacts(signal());
    expect(await facts('5.14.0-362.24.1.el9_3.x86_64')).toEqual({ required: true, lastBootTime: 5, packages: ['kernel'] });
    expect(await facts('5.14.0-427.13.1.el9_4.x86_64')).toEqual({ required: false, lastBootTime: 5 });
  });
});
