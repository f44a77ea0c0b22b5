import { describe, expect, it } from 'vitest';
import {
  compilePatchList,
  NAME_DEPENDS_ON_VERSION,
  NAME_MATCHES,
  NAME_NO_MATCH,
  patternProblem,
  type PatchCandidate,
} from './patch-name-patterns.js';

/** The user guide's example package: dbus.x86_64:1:1.12.28-1.amzn2023.0.1. */
const dbus: PatchCandidate = { name: 'dbus', arch: 'x86_64', version: '1:1.12.28-1.amzn2023.0.1' };
const rpmMatches = (entry: string, p: PatchCandidate = dbus) => compilePatchList('rpm', [entry]).matches(p);
const debMatches = (entry: string, p: PatchCandidate) => compilePatchList('deb', [entry]).matches(p);

describe('RPM patch lists: every package-name construction of the user guide', () => {
  it.each([
    'dbus',
    'dbus.x86_64',
    'dbus-1.12.28',
    'dbus-1.12.28-1.amzn2023.0.1',
    'dbus-1.12.28-1.amzn2023.0.1.x86_64',
    '1.12.28',
    '1.12.28-1.amzn2023.0.1',
    '1:1.12.28-1.amzn2023.0.1',
    'dbus-1:1.12.28-1.amzn2023.0.1',
    'dbus-1:1.12.28-1.amzn2023.0.1.x86_64',
    '1:dbus-1.12.28-1.amzn2023.0.1.x86_64',
    'dbus.x86_64:1:1.12.28-1.amzn2023.0.1',
  ])('%s names dbus.x86_64:1:1.12.28-1.amzn2023.0.1', (entry) => {
    expect(rpmMatches(entry)).toBe(true);
  });

  it.each(['dbus*', 'dbus-1.12.2*', 'dbus-*:1.12.28-1.amzn2023.0.1.x86_64', '*.x86_64', 'dbus-1.12.28-*.x86_64'])(
    'a single wildcard matches any run of characters: %s',
    (entry) => {
      expect(rpmMatches(entry)).toBe(true);
    },
  );

  it.each(['dbus-libs', 'dbus.aarch64', 'dbus-1.12.29', 'dbus-1.12.28-2.amzn2023.0.1', 'dbus-0:1.12.28-1.amzn2023.0.1', 'dbu', 'dbus-1.13*'])(
    '%s does not name it',
    (entry) => {
      expect(rpmMatches(entry)).toBe(false);
    },
  );

  it('a wildcard entry matches names that run past its literal part', () => {
    expect(rpmMatches('dbus*', { name: 'dbus-libs', arch: 'x86_64', version: '1.12.28-1' })).toBe(true);
    expect(rpmMatches('kernel-5.14.0-*', { name: 'kernel', arch: 'x86_64', version: '5.14.0-427.13.1.el9_4' })).toBe(true);
    expect(rpmMatches('kernel-5.14.0-*', { name: 'kernel', arch: 'x86_64', version: '6.1.0-1.el9' })).toBe(false);
  });

  it('an epoch-less version is epoch 0 in the epoch constructions', () => {
    const p = { name: 'openssl', arch: 'x86_64', version: '3.0.7-27.el9' };
    expect(rpmMatches('openssl-0:3.0.7-27.el9.x86_64', p)).toBe(true);
    expect(rpmMatches('0:openssl-3.0.7-27.el9.x86_64', p)).toBe(true);
  });

  it('approves by CVE, advisory and Bugzilla id (any of the update notice ids)', () => {
    const p: PatchCandidate = { ...dbus, cveIds: ['CVE-2023-34969'], advisoryIds: ['ALAS2023-2023-261'], bugzillaIds: ['2213166'] };
    expect(rpmMatches('CVE-2023-34969', p)).toBe(true);
    expect(rpmMatches('cve-2023-34969', p)).toBe(true);
    expect(rpmMatches('ALAS2023-2023-261', p)).toBe(true);
    expect(rpmMatches('2213166', p)).toBe(true);
    expect(rpmMatches('RHSA-2017:0864', p)).toBe(false);
    expect(rpmMatches('CVE-2023-00000', p)).toBe(false);
  });

  it('accepts SUSE file names with the .rpm suffix', () => {
    const p = { name: 'example-pkg', arch: 'x86_64', version: '2018.11.4-46.17.1' };
    expect(rpmMatches('example-pkg-2018.11.4-46.17.1.x86_64.rpm', p)).toBe(true);
    expect(rpmMatches('example-pkg-2018.11.4-46.17.1.*.rpm', p)).toBe(true);
  });

  it('matches any entry of a list', () => {
    const list = compilePatchList('rpm', ['nothing-here', 'dbus.x86_64']);
    expect(list.matches(dbus)).toBe(true);
    expect(list.empty).toBe(false);
  });

  it('gives a name hint: no match, or depends on the version', () => {
    const list = compilePatchList('rpm', ['dbus-1.12.28', 'kernel*']);
    expect(list.nameHint('dbus')).toBe(NAME_DEPENDS_ON_VERSION);
    expect(list.nameHint('kernel-core')).toBe(NAME_DEPENDS_ON_VERSION);
    expect(list.nameHint('openssl')).toBe(NAME_NO_MATCH);
    // A version-first entry could name any package.
    expect(compilePatchList('rpm', ['1.12.28']).nameHint('openssl')).toBe(NAME_DEPENDS_ON_VERSION);
  });
});

describe('Debian patch lists', () => {
  const libssl: PatchCandidate = { name: 'libssl3', arch: 'amd64', version: '3.0.15-1~deb12u1', cveIds: ['CVE-2024-5535'] };

  it('matches by package name, whatever the version and architecture', () => {
    expect(debMatches('libssl3', libssl)).toBe(true);
    expect(debMatches('libssl3', { ...libssl, arch: 'i386', version: '3.0.11-1~deb12u2' })).toBe(true);
    expect(debMatches('libssl', libssl)).toBe(false);
  });

  it('matches names case-insensitively, as the user guide writes ExamplePkg33', () => {
    expect(debMatches('ExamplePkg33', { name: 'examplepkg33', arch: 'amd64', version: '1' })).toBe(true);
  });

  it('takes * wildcards in names', () => {
    expect(debMatches('libssl*', libssl)).toBe(true);
    expect(debMatches('*ssl3', libssl)).toBe(true);
    expect(debMatches('lib*3', libssl)).toBe(true);
    expect(debMatches('libc*', libssl)).toBe(false);
  });

  it('takes name=version for one exact version (Tend, apt syntax), with wildcards in the version', () => {
    expect(debMatches('libssl3=3.0.15-1~deb12u1', libssl)).toBe(true);
    expect(debMatches('libssl3=3.0.11-1~deb12u2', libssl)).toBe(false);
    expect(debMatches('libssl3=3.0.*', libssl)).toBe(true);
  });

  it('takes CVE ids in approved lists (Tend) when the backend reports them', () => {
    expect(debMatches('CVE-2024-5535', libssl)).toBe(true);
    expect(debMatches('CVE-2024-0001', libssl)).toBe(false);
  });

  it('gives a name hint: matches by name, depends on the version, or no match', () => {
    const list = compilePatchList('deb', ['openssl', 'libssl3=3.0.15-1~deb12u1', 'linux-image-*']);
    expect(list.nameHint('openssl')).toBe(NAME_MATCHES);
    expect(list.nameHint('libssl3')).toBe(NAME_DEPENDS_ON_VERSION);
    expect(list.nameHint('linux-image-amd64')).toBe(NAME_MATCHES);
    expect(list.nameHint('bash')).toBe(NAME_NO_MATCH);
  });
});

describe('empty lists', () => {
  it('match nothing', () => {
    for (const list of [compilePatchList('deb', []), compilePatchList('rpm', undefined), compilePatchList('rpm', ['  '])]) {
      expect(list.empty).toBe(true);
      expect(list.matches(dbus)).toBe(false);
      expect(list.nameHint('dbus')).toBe(NAME_NO_MATCH);
    }
  });
});

describe('patternProblem', () => {
  it('accepts the documented formats', () => {
    for (const entry of ['dbus', 'dbus-1:1.12.28-1.amzn2023.0.1.x86_64', 'dbus-*', 'RHSA-2017:0864', 'CVE-2018-1234567', '1234567']) {
      expect(patternProblem('rpm', entry, 'approved')).toBeUndefined();
    }
    for (const entry of ['libssl3', 'lib*', 'libssl3=3.0.15-1~deb12u1', 'CVE-2024-5535', 'ExamplePkg33']) {
      expect(patternProblem('deb', entry, 'approved')).toBeUndefined();
    }
  });

  it('refuses more than one wildcard in an RPM name', () => {
    expect(patternProblem('rpm', 'dbus-*-*.x86_64', 'approved')).toMatch(/single wildcard/);
  });

  it('refuses CVE ids in rejected lists, which take package names only', () => {
    expect(patternProblem('rpm', 'CVE-2018-1234567', 'rejected')).toMatch(/package names/);
    expect(patternProblem('deb', 'CVE-2018-1234567', 'rejected')).toMatch(/package names/);
  });

  it('refuses what cannot be a Debian package name or version, and white space', () => {
    expect(patternProblem('deb', 'lib_ssl', 'approved')).toMatch(/not a Debian package name/);
    expect(patternProblem('deb', 'libssl3=3.0 1', 'approved')).toMatch(/white space/);
    expect(patternProblem('deb', 'libssl3=3.0$', 'approved')).toMatch(/not a Debian version/);
  });
});
