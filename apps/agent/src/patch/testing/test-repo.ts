import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * A local apt repository of small test packages, built with dpkg-deb and laid
 * out like a Debian mirror (pool/ + dists/<codename>/), with Release files
 * carrying the Origin, Label, Suite, Codename and Date the apt backend reads
 * its classification from. It lives inside the test's Debian root and is
 * used through a `file:` source, so apt in the chroot never touches the
 * network.
 */

const run = promisify(execFile);

export interface TestPackage {
  name: string;
  version: string;
  /** `all` by default, so the packages install on any machine. */
  arch?: string;
  section?: string;
  priority?: string;
  depends?: string;
  /** First line is the summary. */
  description?: string;
  /** Body of a postinst script (sh), e.g. to request a reboot as kernel packages do. */
  postinst?: string;
}

export interface TestSuite {
  /** The Release file's Codename, also the directory under dists/: `bookworm-security`. */
  codename: string;
  /** The Release file's Suite: `stable-security`. */
  suite: string;
  origin: string;
  label: string;
  /** The Release file's Date. */
  date: Date;
  packages: TestPackage[];
}

/**
 * Builds the repository at `repoDir` (on this machine) for architecture
 * `arch`. Returns the sources.list lines that use it from inside a root
 * where it appears at `pathInRoot`.
 */
export async function buildTestRepo(repoDir: string, pathInRoot: string, suites: readonly TestSuite[], arch: string): Promise<string[]> {
  const staging = await mkdtemp(path.join(tmpdir(), 'tend-debs-'));
  try {
    await mkdir(path.join(repoDir, 'pool'), { recursive: true });
    const lines: string[] = [];
    // A version published in two suites (as security fixes are, in -security and -updates) is one file in the pool.
    const built = new Map<string, string>();
    for (const suite of suites) {
      const records: string[] = [];
      for (const pkg of suite.packages) {
        const debName = `${pkg.name}_${pkg.version.replace(/^\d+:/, '')}_${pkg.arch ?? 'all'}.deb`;
        let record = built.get(debName);
        if (record === undefined) {
          const debPath = path.join(repoDir, 'pool', debName);
          const control = await buildDeb(pkg, staging, debPath);
          const bytes = await readFile(debPath);
          record =
            `${control}Filename: pool/${debName}\nSize: ${bytes.length}\n` +
            `MD5sum: ${createHash('md5').update(bytes).digest('hex')}\nSHA256: ${createHash('sha256').update(bytes).digest('hex')}\n`;
          built.set(debName, record);
        }
        records.push(record);
      }
      const dist = path.join(repoDir, 'dists', suite.codename);
      const indexRel = `main/binary-${arch}/Packages`;
      await mkdir(path.join(dist, path.dirname(indexRel)), { recursive: true });
      const packages = records.join('\n');
      await writeFile(path.join(dist, indexRel), packages);
      const hash = createHash('sha256').update(packages).digest('hex');
      await writeFile(
        path.join(dist, 'Release'),
        [
          `Origin: ${suite.origin}`,
          `Label: ${suite.label}`,
          `Suite: ${suite.suite}`,
          `Codename: ${suite.codename}`,
          `Date: ${suite.date.toUTCString().replace('GMT', 'UTC')}`,
          `Architectures: ${arch}`,
          'Components: main',
          `Description: Tend test packages (${suite.codename})`,
          'SHA256:',
          ` ${hash} ${Buffer.byteLength(packages)} ${indexRel}`,
          '',
        ].join('\n'),
      );
      lines.push(`deb [trusted=yes] file:${pathInRoot} ${suite.codename} main`);
    }
    return lines;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Builds one .deb and returns its control paragraph (for the Packages index). */
async function buildDeb(pkg: TestPackage, staging: string, debPath: string): Promise<string> {
  const dir = await mkdtemp(path.join(staging, `${pkg.name}-`));
  const [summary, ...rest] = (pkg.description ?? `Tend test package ${pkg.name}`).split('\n');
  const fields: Array<[string, string | undefined]> = [
    ['Package', pkg.name],
    ['Version', pkg.version],
    ['Architecture', pkg.arch ?? 'all'],
    ['Maintainer', 'Tend tests <tests@tend.invalid>'],
    ['Installed-Size', '1'],
    ['Depends', pkg.depends],
    ['Section', pkg.section ?? 'misc'],
    ['Priority', pkg.priority ?? 'optional'],
    ['Description', [summary, ...rest.map((line) => ` ${line || '.'}`)].join('\n')],
  ];
  const control = fields
    .filter((field): field is [string, string] => field[1] !== undefined)
    .map(([key, value]) => `${key}: ${value}\n`)
    .join('');
  await mkdir(path.join(dir, 'DEBIAN'));
  await writeFile(path.join(dir, 'DEBIAN/control'), control);
  // One file of its own, so dpkg has something to own and the version is visible on disk.
  const docDir = path.join(dir, 'usr/share/doc', pkg.name);
  await mkdir(docDir, { recursive: true });
  await writeFile(path.join(docDir, 'VERSION'), `${pkg.version}\n`);
  if (pkg.postinst) {
    const script = path.join(dir, 'DEBIAN/postinst');
    await writeFile(script, `#!/bin/sh\nset -e\n${pkg.postinst}\n`);
    await chmod(script, 0o755);
  }
  await run('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', dir, debPath]);
  return control;
}

/** The days the test suites were published: fixed, so release dates are known to the tests. */
export const TEST_SUITE_DATES = {
  bookworm: new Date('2024-01-10T08:00:00Z'),
  updates: new Date('2024-03-01T08:00:00Z'),
  security: new Date('2024-03-15T08:00:00Z'),
} as const;

/**
 * What a postinst runs to ask for a reboot: the same as Debian's
 * update-notifier-common helper that kernel and libc packages call.
 */
export const REQUEST_REBOOT_POSTINST = [
  'touch /var/run/reboot-required',
  'echo "$DPKG_MAINTSCRIPT_PACKAGE" >> /var/run/reboot-required.pkgs',
].join('\n');

/**
 * The test fleet's story in packages:
 * - tend-hello: an ordinary bug-fix update (bookworm-updates, not security);
 * - tend-libsecure: a security update in bookworm-security;
 * - tend-app 1.1 needs tend-applib ≥ 1.1, which is both in -updates and -security
 *   (the same version in two pockets counts as security);
 * - tend-kernel-notify: its update's postinst requests a reboot;
 * - tend-blocked: the package baselines reject;
 * - tend-pinned: two newer versions, so installing the older one shows installs are exact;
 * - tend-extra: available but not installed, so never an update.
 */
export const TEST_SUITES: readonly TestSuite[] = [
  {
    codename: 'bookworm',
    suite: 'stable',
    origin: 'Tend',
    label: 'Tend',
    date: TEST_SUITE_DATES.bookworm,
    packages: [
      { name: 'tend-hello', version: '1.0-1', section: 'utils', description: 'friendly greeting for tests' },
      { name: 'tend-libsecure', version: '2.0-1', section: 'libs', priority: 'important' },
      { name: 'tend-applib', version: '1.0-1', section: 'libs' },
      { name: 'tend-app', version: '1.0-1', section: 'net', depends: 'tend-applib (>= 1.0)' },
      { name: 'tend-kernel-notify', version: '1.0-1', section: 'kernel' },
      { name: 'tend-blocked', version: '3.0-1' },
      { name: 'tend-pinned', version: '1.0-1' },
      { name: 'tend-extra', version: '1.0-1' },
    ],
  },
  {
    codename: 'bookworm-updates',
    suite: 'stable-updates',
    origin: 'Tend',
    label: 'Tend',
    date: TEST_SUITE_DATES.updates,
    packages: [
      { name: 'tend-hello', version: '1.1-1', section: 'utils', description: 'friendly greeting for tests\nNow with a fixed typo.' },
      { name: 'tend-applib', version: '1.1-1', section: 'libs' },
      { name: 'tend-app', version: '1.1-1', section: 'net', depends: 'tend-applib (>= 1.1)' },
      { name: 'tend-kernel-notify', version: '1.1-1', section: 'kernel', priority: 'important', postinst: REQUEST_REBOOT_POSTINST },
      { name: 'tend-blocked', version: '3.1-1' },
      { name: 'tend-pinned', version: '1.1-1' },
      { name: 'tend-pinned', version: '1.2-1' },
      { name: 'tend-extra', version: '1.1-1' },
    ],
  },
  {
    codename: 'bookworm-security',
    suite: 'stable-security',
    origin: 'Tend',
    label: 'Tend-Security',
    date: TEST_SUITE_DATES.security,
    packages: [
      { name: 'tend-libsecure', version: '2.0-1+deb12u1', section: 'libs', priority: 'important', description: 'security fixes for tests' },
      { name: 'tend-applib', version: '1.1-1', section: 'libs' },
    ],
  },
];

/**
 * The packages installed before each test, by name=version. tend-applib is
 * named too (apt would otherwise pull in its newest version for tend-app)
 * and then marked automatically installed, as a dependency is.
 */
export const TEST_INITIAL_INSTALL = [
  'tend-hello=1.0-1',
  'tend-libsecure=2.0-1',
  'tend-applib=1.0-1',
  'tend-app=1.0-1',
  'tend-kernel-notify=1.0-1',
  'tend-blocked=3.0-1',
  'tend-pinned=1.0-1',
];
export const TEST_INITIAL_AUTO = ['tend-applib'];

/** Where the repository sits inside a test root. */
export const TEST_REPO_PATH_IN_ROOT = '/srv/tend-test-repo';

/** Whether `file` exists. */
export async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
