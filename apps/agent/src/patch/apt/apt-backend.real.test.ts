import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defaultBaselineFor, evaluateBaseline, nodePackageFactsSchema, type AvailableUpdate, type PatchSource } from '@tend/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processIsAlive } from '../../plugins/process-tree.js';
import { collectPackageFacts } from '../collect-facts.js';
import { detectPackageBackendKind } from '../index.js';
import type { PackageBackend } from '../package-backend.js';
import { debianRootUnavailableReason, ensureDebianRootCache } from '../testing/debian-root.js';
import { createDebianTestSystem, disposeDebianTestTemplate, type DebianTestSystem } from '../testing/debian-test-system.js';
import { buildTestRepo, TEST_SUITE_DATES } from '../testing/test-repo.js';
import { createAptBackend, type AptBackendOptions } from './apt-backend.js';

/**
 * The apt backend against a real Debian 12 root (debootstrap minbase) and a
 * local repository of test packages, everything chrooted: apt, dpkg and the
 * maintainer scripts are the real ones. Nothing is installed on this machine.
 */

const unavailable = debianRootUnavailableReason();
if (unavailable) console.warn(`[apt-backend.real.test] skipped: ${unavailable}`);

const signal = () => AbortSignal.timeout(120_000);
const SLOW = 180_000;

function backendFor(system: DebianTestSystem, options: Partial<AptBackendOptions> = {}): PackageBackend {
  // The root's running kernel is unknown (it is not booted); tests that need one say so.
  return createAptBackend({ runner: system.runner, bootTime: async () => 1_700_000_000_000, ...options });
}

const byNameVersion = (updates: AvailableUpdate[]) =>
  Object.fromEntries(updates.filter((u) => u.name.startsWith('tend-')).map((u) => [`${u.name}=${u.version}`, u]));

describe.skipIf(unavailable !== undefined)('apt backend on a real Debian root', () => {
  let shared: DebianTestSystem;
  // Tests run one after the other: a test's own system is removed when the next test asks for one (about 200 MB each).
  let own: DebianTestSystem[] = [];
  const fresh = async () => {
    for (const system of own) await system.dispose();
    own = [];
    const system = await createDebianTestSystem();
    own.push(system);
    return system;
  };
  const another = async () => {
    const system = await createDebianTestSystem();
    own.push(system);
    return system;
  };

  beforeAll(async () => {
    // The first run on a machine builds the cached root (about 75 s here).
    await ensureDebianRootCache((line) => console.log(`[apt-backend.real.test] ${line}`));
    shared = await createDebianTestSystem();
  }, 15 * 60_000);

  afterAll(async () => {
    for (const system of own) await system.dispose();
    await shared?.dispose();
    await disposeDebianTestTemplate();
  });

  it(
    'lists installed packages from dpkg, with section, priority, install time and the automatic mark',
    async () => {
      const installed = await backendFor(shared).listInstalled(signal());
      const find = (name: string) => installed.find((p) => p.name === name);
      // debootstrap's own packages are there, with the machine's architecture.
      expect(find('dpkg')).toMatchObject({ arch: expect.any(String), version: expect.stringMatching(/^1\.21\./), priority: 'Required', section: 'admin' });
      expect(find('libc6')?.arch).not.toBe('all');
      expect(find('tend-hello')).toMatchObject({ arch: 'all', version: '1.0-1', section: 'utils', priority: 'Optional', title: 'friendly greeting for tests' });
      expect(find('tend-hello')?.dependency).toBeUndefined();
      expect(find('tend-applib')).toMatchObject({ version: '1.0-1', dependency: true });
      expect(find('tend-hello')?.installedTime).toBeGreaterThan(Date.now() - 10 * 60_000);
      // Available but never installed.
      expect(find('tend-extra')).toBeUndefined();
    },
    SLOW,
  );

  it(
    'lists updates with their pocket, security classification, section, priority and release date',
    async () => {
      const backend = backendFor(shared);
      await backend.refreshMetadata(signal());
      const updates = await backend.listUpdates(signal());
      const found = byNameVersion(updates);
      expect(Object.keys(found).sort()).toEqual([
        'tend-app=1.1-1',
        'tend-applib=1.1-1',
        'tend-blocked=3.1-1',
        'tend-hello=1.1-1',
        'tend-kernel-notify=1.1-1',
        'tend-libsecure=2.0-1+deb12u1',
        // Both newer versions: a baseline may approve the older one only.
        'tend-pinned=1.1-1',
        'tend-pinned=1.2-1',
      ]);
      // Only the test repository is configured: nothing else has an update.
      expect(updates.filter((u) => !u.name.startsWith('tend-'))).toEqual([]);

      expect(found['tend-hello=1.1-1']).toEqual({
        name: 'tend-hello',
        arch: 'all',
        version: '1.1-1',
        installedVersion: '1.0-1',
        security: false,
        repository: 'bookworm-updates',
        section: 'utils',
        priority: 'Optional',
        title: 'friendly greeting for tests',
        releaseDate: TEST_SUITE_DATES.updates.getTime(),
      });
      expect(found['tend-libsecure=2.0-1+deb12u1']).toMatchObject({
        security: true,
        repository: 'bookworm-security',
        section: 'libs',
        priority: 'Important',
        installedVersion: '2.0-1',
        releaseDate: TEST_SUITE_DATES.security.getTime(),
      });
      // In -updates and -security alike: security, and released when it first appeared.
      expect(found['tend-applib=1.1-1']).toMatchObject({ security: true, repository: 'bookworm-security', releaseDate: TEST_SUITE_DATES.updates.getTime() });
      expect(found['tend-kernel-notify=1.1-1']).toMatchObject({ security: false, section: 'kernel', priority: 'Important' });
    },
    SLOW,
  );

  it(
    'installs exactly the requested versions and nothing else',
    async () => {
      const system = await fresh();
      const backend = backendFor(system);
      const result = await backend.install(
        [
          { name: 'tend-libsecure', arch: 'all', version: '2.0-1+deb12u1' },
          // Older than apt's candidate (1.2-1): the exact version wins.
          { name: 'tend-pinned', arch: 'all', version: '1.1-1' },
        ],
        signal(),
      );
      expect(result.failed).toEqual([]);
      expect(result.installed).toEqual([
        { name: 'tend-libsecure', arch: 'all', version: '2.0-1+deb12u1' },
        { name: 'tend-pinned', arch: 'all', version: '1.1-1' },
      ]);
      expect(result.changes.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
        { name: 'tend-libsecure', arch: 'all', fromVersion: '2.0-1', toVersion: '2.0-1+deb12u1' },
        { name: 'tend-pinned', arch: 'all', fromVersion: '1.0-1', toVersion: '1.1-1' },
      ]);
      expect(result.rebootRequired).toBe(false);
      const installed = await backend.listInstalled(signal());
      expect(installed.find((p) => p.name === 'tend-hello')?.version).toBe('1.0-1');
      expect(installed.find((p) => p.name === 'tend-blocked')?.version).toBe('3.0-1');
      // The remaining updates are still there; the installed ones are gone.
      const left = byNameVersion(await backend.listUpdates(signal()));
      expect(left['tend-libsecure=2.0-1+deb12u1']).toBeUndefined();
      expect(left['tend-pinned=1.2-1']).toMatchObject({ installedVersion: '1.1-1' });
      expect(left['tend-hello=1.1-1']).toBeDefined();
    },
    SLOW,
  );

  it(
    'pulls in what an update strictly depends on and keeps a patched dependency marked automatic',
    async () => {
      const system = await fresh();
      const backend = backendFor(system);
      const result = await backend.install([{ name: 'tend-app', arch: 'all', version: '1.1-1' }], signal());
      expect(result.failed).toEqual([]);
      expect(result.changes.map((c) => `${c.name}=${c.toVersion}`).sort()).toEqual(['tend-app=1.1-1', 'tend-applib=1.1-1']);
      const installed = await backend.listInstalled(signal());
      expect(installed.find((p) => p.name === 'tend-applib')).toMatchObject({ version: '1.1-1', dependency: true });
      expect(installed.find((p) => p.name === 'tend-app')?.dependency).toBeUndefined();

      // Patching the dependency by name does not make it a manual install either.
      const again = await another();
      const backend2 = backendFor(again);
      await backend2.install([{ name: 'tend-applib', arch: 'all', version: '1.1-1' }], signal());
      expect((await backend2.listInstalled(signal())).find((p) => p.name === 'tend-applib')).toMatchObject({ version: '1.1-1', dependency: true });
    },
    SLOW,
  );

  it(
    'reports a version that does not exist as failed, with apt’s reason, and changes nothing',
    async () => {
      const system = await fresh();
      const backend = backendFor(system);
      const result = await backend.install(
        [
          { name: 'tend-hello', arch: 'all', version: '9.9-1' },
          { name: 'tend-libsecure', arch: 'all', version: '2.0-1+deb12u1' },
        ],
        signal(),
      );
      // apt installs all or nothing: the valid request fails with the invalid one.
      expect(result.installed).toEqual([]);
      expect(result.failed.map((f) => f.name).sort()).toEqual(['tend-hello', 'tend-libsecure']);
      expect(result.failed[0]!.reason).toContain("Version '9.9-1' for 'tend-hello' was not found");
      expect(result.changes).toEqual([]);
    },
    SLOW,
  );

  it(
    'keeps blocked versions out even as a dependency: the install fails instead',
    async () => {
      const system = await fresh();
      const backend = backendFor(system);
      const result = await backend.install([{ name: 'tend-app', arch: 'all', version: '1.1-1' }], signal(), {
        blocked: [{ name: 'tend-applib', arch: 'all', version: '1.1-1' }],
      });
      expect(result.installed).toEqual([]);
      expect(result.failed).toHaveLength(1);
      expect(result.changes).toEqual([]);
      // The pin lived for the install only.
      expect(existsSync(path.join(system.root, 'etc/apt/preferences.d/tend-patch-blocked.pref'))).toBe(false);
      // Without the block the same install works.
      expect((await backend.install([{ name: 'tend-app', arch: 'all', version: '1.1-1' }], signal())).failed).toEqual([]);
    },
    SLOW,
  );

  it(
    'sees the reboot a postinst requests, inside the root and not on this machine',
    async () => {
      const system = await fresh();
      const backend = backendFor(system);
      const hostHadFlag = existsSync('/run/reboot-required');
      expect(await backend.rebootFacts(signal())).toEqual({ required: false, lastBootTime: 1_700_000_000_000 });
      const result = await backend.install([{ name: 'tend-kernel-notify', arch: 'all', version: '1.1-1' }], signal());
      expect(result.failed).toEqual([]);
      expect(result.rebootRequired).toBe(true);
      expect(await backend.rebootFacts(signal())).toEqual({ required: true, lastBootTime: 1_700_000_000_000, packages: ['tend-kernel-notify'] });
      // /var/run is a link to /run in the root: the flag is the root's /run, not the host's.
      expect(existsSync(path.join(system.root, 'run/reboot-required'))).toBe(true);
      expect(existsSync('/run/reboot-required')).toBe(hostHadFlag);
    },
    SLOW,
  );

  it(
    'sees a newer installed kernel than the running one, of the same flavour only',
    async () => {
      const system = await fresh();
      await writeFile(path.join(system.root, 'boot/vmlinuz-6.1.0-21-amd64'), '');
      await writeFile(path.join(system.root, 'boot/vmlinuz-6.1.0-30-cloud-amd64'), '');
      const facts = (running: string) => backendFor(system, { runningKernel: running }).rebootFacts(signal());
      expect((await facts('6.1.0-18-amd64')).required).toBe(true);
      expect((await facts('6.1.0-21-amd64')).required).toBe(false);
      expect((await facts('6.1.0-30-cloud-amd64')).required).toBe(false);
      expect((await facts('6.1.0-25-amd64')).required).toBe(false);
    },
    SLOW,
  );

  it(
    'uses a baseline source for one operation only, and restores the configuration after',
    async () => {
      const system = await fresh();
      const backend = backendFor(system);
      await buildTestRepo(
        path.join(system.root, 'srv/tend-extra-repo'),
        '/srv/tend-extra-repo',
        [
          {
            codename: 'bookworm-extra',
            suite: 'bookworm-extra',
            origin: 'Example',
            label: 'Example',
            date: new Date('2024-04-01T00:00:00Z'),
            packages: [{ name: 'tend-hello', version: '1.3-1', section: 'utils' }],
          },
        ],
        'amd64',
      );
      const sourcesDir = path.join(system.root, 'etc/apt/sources.list.d');
      const listBefore = (await readdir(sourcesDir)).sort();
      const sources: PatchSource[] = [
        { Name: 'extra', Products: ['Debian12'], Configuration: 'deb [trusted=yes] file:/srv/tend-extra-repo bookworm-extra main' },
        { Name: 'ubuntu-only', Products: ['Ubuntu22.04'], Configuration: 'deb http://archive.ubuntu.com/ubuntu jammy main' },
      ];

      const during = await backend.withSources(
        sources,
        'Debian12',
        async () => {
          expect((await readdir(sourcesDir)).sort()).toEqual([...listBefore, 'tend-patch-extra.list'].sort());
          await backend.refreshMetadata(signal());
          return byNameVersion(await backend.listUpdates(signal()));
        },
        signal(),
      );
      expect(during['tend-hello=1.3-1']).toMatchObject({ repository: 'bookworm-extra', security: false, releaseDate: Date.parse('2024-04-01T00:00:00Z') });
      expect((await readdir(sourcesDir)).sort()).toEqual(listBefore);
      await backend.refreshMetadata(signal());
      expect(byNameVersion(await backend.listUpdates(signal()))['tend-hello=1.3-1']).toBeUndefined();

      // Restored when the operation fails too.
      await expect(
        backend.withSources(sources, 'Debian12', async () => {
          throw new Error('scan failed');
        }, signal()),
      ).rejects.toThrow('scan failed');
      expect((await readdir(sourcesDir)).sort()).toEqual(listBefore);
    },
    SLOW,
  );

  it(
    'stops a chrooted command and its children when the operation is cancelled',
    async () => {
      const controller = new AbortController();
      const pidFile = path.join(shared.root, 'tmp/sleeper.pid');
      await mkdir(path.dirname(pidFile), { recursive: true });
      const started = Date.now();
      const running = shared.runner.run(['sh', '-c', 'sleep 60 & echo $! > /tmp/sleeper.pid; wait'], { signal: controller.signal });
      const { readFile } = await import('node:fs/promises');
      let pid = 0;
      while (!pid && Date.now() - started < 10_000) {
        pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim()) || 0;
        if (!pid) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(pid).toBeGreaterThan(0);
      controller.abort(new Error('cancelled by test'));
      await expect(running).rejects.toThrow('cancelled by test');
      expect(processIsAlive(pid)).toBe(false);
      expect(Date.now() - started).toBeLessThan(15_000);
    },
    SLOW,
  );

  it(
    'scans through the common entry point into facts the Debian default baseline evaluates',
    async () => {
      expect(await detectPackageBackendKind(shared.runner)).toBe('apt');
      const facts = await collectPackageFacts(backendFor(shared), { operatingSystem: 'DEBIAN', product: 'Debian12', signal: signal() });
      expect(() => nodePackageFactsSchema.parse(facts)).not.toThrow();
      const evaluation = evaluateBaseline(facts, defaultBaselineFor('DEBIAN')!, { now: Date.now() });
      // The predefined baseline approves security updates only: the two from bookworm-security.
      expect(evaluation.install.map((p) => `${p.name}=${p.version}`).sort()).toEqual(['tend-applib=1.1-1', 'tend-libsecure=2.0-1+deb12u1']);
      expect(evaluation.counts.MissingCount).toBe(2);
    },
    SLOW,
  );

  it('leaves this machine’s own packages alone', () => {
    // The test packages exist only inside the roots.
    let hostHasIt = true;
    try {
      execFileSync('dpkg-query', ['-W', 'tend-hello'], { stdio: 'ignore' });
    } catch {
      hostHasIt = false;
    }
    expect(hostHasIt).toBe(false);
  });
});
