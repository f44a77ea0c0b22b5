import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { aptInstallCommand, aptSourceFile, blockedPreferences } from './apt-backend.js';
import {
  aptErrors,
  describeUpdates,
  isSecurityRelease,
  parseAptMarkList,
  parseAptPolicyFiles,
  parseAptPolicyPackages,
  parseDeb822,
  parseDpkgQuery,
  pocketOf,
  priorityFilterValue,
  releaseDate,
  releaseFilePrefix,
  upgradePaths,
  type DpkgRow,
} from './apt-parse.js';

/**
 * Recorded outputs: fixtures/*.txt without a distribution prefix come from
 * the test Debian root (apt 2.6.1, LANG=C); debian-host-* from this Debian
 * 12 machine's own apt; ubuntu-jammy-* are written after Ubuntu 22.04's apt
 * 2.4 (security pocket in the Suite, phased updates, backports, i386).
 */
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

const row = (name: string, version: string, arch = 'amd64'): DpkgRow => ({ name, arch, version });

describe('dpkg-query', () => {
  it('reads installed packages with section, priority and summary', () => {
    const rows = parseDpkgQuery(fixture('dpkg-query.txt'));
    expect(rows.find((r) => r.name === 'apt')).toEqual({ name: 'apt', arch: 'amd64', version: '2.6.1', section: 'admin', priority: 'required', summary: 'commandline package manager' });
    expect(rows.find((r) => r.name === 'tend-hello')).toMatchObject({ arch: 'all', version: '1.0-1', section: 'utils' });
    expect(rows.length).toBeGreaterThan(80);
  });

  it('skips packages that are removed, half-installed or not installed', () => {
    const text = [
      'ii \tkept\tamd64\t1.0\tadmin\toptional\tkept',
      'rc \tremoved\tamd64\t1.0\tadmin\toptional\tconfig files only',
      'iU \tunpacked\tamd64\t1.0\tadmin\toptional\tunpacked, not configured',
      'iH \thalf\tamd64\t1.0\tadmin\toptional\thalf-installed',
      'un \tunknown\t\t\t\t\t',
      'it \ttriggers\tall\t2.0\t\t\ttriggers pending',
      'hi \theld\tamd64\t3.0\tnet\textra\theld but installed',
    ].join('\n');
    expect(parseDpkgQuery(text).map((r) => r.name)).toEqual(['kept', 'triggers', 'held']);
    expect(parseDpkgQuery(text)[1]).toEqual({ name: 'triggers', arch: 'all', version: '2.0', summary: 'triggers pending' });
  });

  it('spells priorities as the PRIORITY filter does', () => {
    expect(['required', 'important', 'standard', 'optional', 'extra'].map(priorityFilterValue)).toEqual(['Required', 'Important', 'Standard', 'Optional', 'Extra']);
    expect(priorityFilterValue(undefined)).toBeUndefined();
  });

  it('reads apt-mark lists', () => {
    expect([...parseAptMarkList('libfoo1\nlibc6:i386\n\n')]).toEqual(['libfoo1', 'libc6:i386']);
  });
});

describe('apt-cache policy', () => {
  it('maps each index to its Release fields (Debian: the pocket is in the codename)', () => {
    const files = parseAptPolicyFiles(fixture('debian-host-apt-cache-policy.txt'));
    expect(files.get('http://deb.debian.org/debian-security bookworm-security/main amd64 Packages')).toEqual({
      v: '12',
      o: 'Debian',
      a: 'oldstable-security',
      n: 'bookworm-security',
      l: 'Debian-Security',
      c: 'main',
      b: 'amd64',
    });
    expect(files.get('/var/lib/dpkg/status')).toEqual({ a: 'now' });
    expect(files.size).toBe(4);
  });

  it('keeps labels with spaces and commas whole (Ubuntu PPA)', () => {
    const files = parseAptPolicyFiles(fixture('ubuntu-jammy-apt-cache-policy.txt'));
    expect(files.get('http://ppa.launchpad.net/example/tools/ubuntu jammy/main amd64 Packages')).toMatchObject({ o: 'LP-PPA-example-tools', l: 'Example tools, nightly', c: 'main' });
    expect(files.get('http://archive.ubuntu.com/ubuntu jammy-backports/main amd64 Packages')).toMatchObject({ a: 'jammy-backports', n: 'jammy' });
  });

  it('reads version tables: installed, candidate, every version with its sources', () => {
    const [openssl, libc6i386, snapd] = parseAptPolicyPackages(fixture('ubuntu-jammy-apt-cache-policy-packages.txt'));
    expect(openssl).toEqual({
      name: 'openssl',
      installed: '3.0.2-0ubuntu1.15',
      candidate: '3.0.2-0ubuntu1.18',
      versions: [
        {
          version: '3.0.2-0ubuntu1.18',
          priority: 500,
          installed: false,
          sources: ['http://archive.ubuntu.com/ubuntu jammy-updates/main amd64 Packages', 'http://security.ubuntu.com/ubuntu jammy-security/main amd64 Packages'],
        },
        { version: '3.0.2-0ubuntu1.15', priority: 100, installed: true, sources: ['/var/lib/dpkg/status'] },
        { version: '3.0.2-0ubuntu1', priority: 500, installed: false, sources: ['http://archive.ubuntu.com/ubuntu jammy/main amd64 Packages'] },
      ],
    });
    expect(libc6i386!.name).toBe('libc6:i386');
    // "(phased 20%)" after the priority.
    expect(snapd!.versions[0]).toMatchObject({ version: '2.63+22.04ubuntu0.1', priority: 1 });
  });

  it('reads a package with no candidate', () => {
    expect(parseAptPolicyPackages('gone:\n  Installed: 1.0\n  Candidate: (none)\n  Version table:\n *** 1.0 100\n        100 /var/lib/dpkg/status\n')).toEqual([
      { name: 'gone', installed: '1.0', versions: [{ version: '1.0', priority: 100, installed: true, sources: ['/var/lib/dpkg/status'] }] },
    ]);
  });
});

describe('pockets and security', () => {
  it('names the pocket from the codename on Debian and the suite on Ubuntu', () => {
    expect(pocketOf({ a: 'oldstable-security', n: 'bookworm-security' })).toBe('bookworm-security');
    expect(pocketOf({ a: 'stable-updates', n: 'bookworm-updates' })).toBe('bookworm-updates');
    expect(pocketOf({ a: 'oldstable', n: 'bookworm' })).toBe('bookworm');
    expect(pocketOf({ a: 'jammy-security', n: 'jammy' })).toBe('jammy-security');
    expect(pocketOf({ a: 'jammy', n: 'jammy' })).toBe('jammy');
    expect(pocketOf({ a: 'now' })).toBe('now');
    expect(pocketOf({})).toBeUndefined();
  });

  it('classifies security pockets by name or label', () => {
    expect(isSecurityRelease({ a: 'oldstable-security', n: 'bookworm-security', l: 'Debian-Security' })).toBe(true);
    expect(isSecurityRelease({ a: 'jammy-security', n: 'jammy', l: 'Ubuntu' })).toBe(true);
    // A mirror that renamed the suite still carries Debian's label.
    expect(isSecurityRelease({ a: 'security-mirror', n: 'x', l: 'Debian-Security' })).toBe(true);
    expect(isSecurityRelease({ a: 'jammy-updates', n: 'jammy', l: 'Ubuntu' })).toBe(false);
    expect(isSecurityRelease({ a: 'stable', n: 'bookworm', l: 'Securityonion' })).toBe(false);
  });
});

describe('available updates from apt', () => {
  it('offers every version up to the candidate, each classified by its own pocket (Debian)', () => {
    const files = parseAptPolicyFiles(fixture('debian-host-apt-cache-policy.txt'));
    const policies = parseAptPolicyPackages(fixture('debian-host-apt-cache-policy-packages.txt'));
    const installed = new Map([
      ['libc6', row('libc6', '2.36-9+deb12u14')],
      ['openssl', row('openssl', '3.0.19-1~deb12u2')],
    ]);
    const dates = new Map([
      ['http://deb.debian.org/debian-security bookworm-security/main amd64 Packages', Date.parse('2025-05-19T10:00:00Z')],
      ['http://deb.debian.org/debian bookworm/main amd64 Packages', Date.parse('2025-05-17T09:00:00Z')],
    ]);
    const records = parseDeb822('Package: openssl\nVersion: 3.0.22-1~deb12u2\nSection: utils\nPriority: optional\nDescription: Secure Sockets Layer toolkit - cryptographic utility\n This package is part of the OpenSSL project.\n');
    const updates = describeUpdates(upgradePaths(policies, installed), files, records, dates);
    // libc6 is at its candidate (an older security version does not count); openssl
    // has a point-release version and a newer security version.
    expect(updates).toEqual([
      {
        name: 'openssl',
        arch: 'amd64',
        version: '3.0.22-1~deb12u2',
        installedVersion: '3.0.19-1~deb12u2',
        security: true,
        repository: 'bookworm-security',
        section: 'utils',
        priority: 'Optional',
        title: 'Secure Sockets Layer toolkit - cryptographic utility',
        releaseDate: Date.parse('2025-05-19T10:00:00Z'),
      },
      {
        name: 'openssl',
        arch: 'amd64',
        version: '3.0.20-1~deb12u2',
        installedVersion: '3.0.19-1~deb12u2',
        security: false,
        repository: 'bookworm',
        releaseDate: Date.parse('2025-05-17T09:00:00Z'),
      },
    ]);
  });

  it('leaves out backports above the candidate, held-back phased updates and local-only packages (Ubuntu)', () => {
    const files = parseAptPolicyFiles(fixture('ubuntu-jammy-apt-cache-policy.txt'));
    const policies = parseAptPolicyPackages(fixture('ubuntu-jammy-apt-cache-policy-packages.txt'));
    const installed = new Map([
      ['openssl', row('openssl', '3.0.2-0ubuntu1.15')],
      ['libc6:i386', row('libc6', '2.35-0ubuntu3.6', 'i386')],
      ['snapd', row('snapd', '2.61.3+22.04')],
      ['cloud-init', row('cloud-init', '23.4.4-0ubuntu0~22.04.1', 'all')],
      ['locally-built', row('locally-built', '1.0')],
    ]);
    const updates = describeUpdates(upgradePaths(policies, installed), files, [], new Map());
    expect(updates).toEqual([
      { name: 'openssl', arch: 'amd64', version: '3.0.2-0ubuntu1.18', installedVersion: '3.0.2-0ubuntu1.15', security: true, repository: 'jammy-security' },
      { name: 'libc6', arch: 'i386', version: '2.35-0ubuntu3.8', installedVersion: '2.35-0ubuntu3.6', security: true, repository: 'jammy-security' },
    ]);
  });

  it('finds the Release file of an index and reads its date, signed or not', () => {
    const targets = parseDeb822(fixture('apt-get-indextargets.txt'));
    const security = targets.find((t) => t.Description === 'file:/srv/tend-test-repo bookworm-security/main amd64 Packages')!;
    expect(releaseFilePrefix(security.Filename!, security.MetaKey!)).toBe('/var/lib/apt/lists/_srv_tend-test-repo_dists_bookworm-security_');
    expect(
      releaseFilePrefix('/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages', 'main/binary-amd64/Packages'),
    ).toBe('/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_');
    expect(releaseFilePrefix('/var/lib/apt/lists/other', 'main/binary-amd64/Packages')).toBeUndefined();

    expect(releaseDate('Origin: Debian\nDate: Sat, 17 May 2025 09:12:32 UTC\nSuite: oldstable\n')).toBe(Date.parse('2025-05-17T09:12:32Z'));
    const signed = '-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nOrigin: Debian\nDate: Mon, 19 May 2025 10:00:00 UTC\n-----BEGIN PGP SIGNATURE-----\n\nxyz\n-----END PGP SIGNATURE-----\n';
    expect(releaseDate(signed)).toBe(Date.parse('2025-05-19T10:00:00Z'));
    expect(releaseDate('Origin: x\n')).toBeUndefined();
  });

  it('reads multi-line records of apt-cache show', () => {
    const [hello, secure] = parseDeb822(fixture('apt-cache-show.txt'));
    expect(hello).toMatchObject({ Package: 'tend-hello', Version: '1.1-1', Section: 'utils', Priority: 'optional', Description: 'friendly greeting for tests\nNow with a fixed typo.' });
    expect(secure).toMatchObject({ Package: 'tend-libsecure', Version: '2.0-1+deb12u1', Priority: 'important' });
  });
});

describe('apt commands', () => {
  it('installs exact versions without prompts, recommends or removals', () => {
    expect(aptInstallCommand(['openssl=3.0.22-1~deb12u2', 'libc6:i386=2.35-0ubuntu3.8'], 120)).toEqual([
      'apt-get',
      '-q',
      '-o',
      'Dpkg::Use-Pty=0',
      '-o',
      'DPkg::Lock::Timeout=120',
      '-y',
      '--no-install-recommends',
      '--no-remove',
      '-o',
      'Dpkg::Options::=--force-confdef',
      '-o',
      'Dpkg::Options::=--force-confold',
      'install',
      '--',
      'openssl=3.0.22-1~deb12u2',
      'libc6:i386=2.35-0ubuntu3.8',
    ]);
  });

  it('pins blocked versions below zero', () => {
    expect(blockedPreferences([])).toBeUndefined();
    expect(blockedPreferences([{ name: 'tend-blocked', arch: 'all', version: '3.1-1' }])).toBe(
      'Explanation: rejected by the patch baseline (Tend, BLOCK)\nPackage: tend-blocked\nPin: version 3.1-1\nPin-Priority: -1\n',
    );
  });

  it('writes a one-line source as .list and a deb822 stanza as .sources', () => {
    expect(aptSourceFile({ Name: 'x', Products: ['*'], Configuration: 'deb http://security.ubuntu.com/ubuntu jammy main' }, 'tend-patch-x')).toEqual({
      systemPath: '/etc/apt/sources.list.d/tend-patch-x.list',
      content: 'deb http://security.ubuntu.com/ubuntu jammy main',
    });
    expect(aptSourceFile({ Name: 'y', Products: ['*'], Configuration: 'Types: deb\nURIs: http://example.com/debian\nSuites: bookworm\nComponents: main' }, 'tend-patch-y').systemPath).toBe(
      '/etc/apt/sources.list.d/tend-patch-y.sources',
    );
  });

  it('picks the E: lines out of apt output', () => {
    expect(aptErrors("Reading package lists...\nE: Version '9.9-1' for 'tend-hello' was not found\nW: something\n")).toEqual(["Version '9.9-1' for 'tend-hello' was not found"]);
  });
});
