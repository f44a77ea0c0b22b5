import { compareDebianVersions, compareRpmVersions, defaultBaselineFor, evaluateBaseline, nodePackageFactsSchema } from '@tend/protocol';
import { describe, expect, it } from 'vitest';
import { SIM_PLATFORMS } from '../../sim/platforms.js';
import { collectPackageFacts } from '../collect-facts.js';
import { SIM_CATALOGS, SIM_DAY_MS, simCatalog } from './sim-catalog.js';
import { createSimulatedBackend } from './simulated-backend.js';

const signal = () => new AbortController().signal;
const NOW = Date.UTC(2026, 10, 1, 12);

function clock(start = NOW) {
  let t = start;
  return { now: () => t, advance: (days: number) => (t += days * SIM_DAY_MS) };
}

async function factsOf(platformKey: string, nodeIndex: number, now = () => NOW) {
  const backend = createSimulatedBackend({ platformKey, nodeIndex, now });
  return { backend, facts: await collectPackageFacts(backend, { operatingSystem: backend.operatingSystem, product: backend.product, signal: signal(), now }) };
}

describe('simulated package catalogs', () => {
  it('covers every simulator platform', () => {
    for (const platform of SIM_PLATFORMS) expect(() => simCatalog(platform.key)).not.toThrow();
    expect(() => simCatalog('windows-2022')).toThrow(/known: ubuntu-22.04/);
  });

  it('writes versions that sort in release order for the platform’s package manager', () => {
    for (const catalog of SIM_CATALOGS) {
      const compare = catalog.format === 'deb' ? compareDebianVersions : compareRpmVersions;
      for (const pkg of catalog.packages) {
        for (let k = 0; k < 12; k++) expect(compare(catalog.version(pkg, k + 1, 17), catalog.version(pkg, k, 17)), `${catalog.key} ${pkg.name} ${k}`).toBeGreaterThan(0);
      }
    }
  });
});

describe('simulated backend', () => {
  it('reports facts that pass the protocol schema, on every platform', async () => {
    for (const platform of SIM_PLATFORMS) {
      const { facts } = await factsOf(platform.key, 3);
      expect(() => nodePackageFactsSchema.parse(facts)).not.toThrow();
      expect(facts.installed.length).toBeGreaterThan(40);
    }
  });

  it('is deterministic per node and differs between nodes', async () => {
    const a = (await factsOf('ubuntu-22.04', 42)).facts;
    const b = (await factsOf('ubuntu-22.04', 42)).facts;
    expect(a).toEqual(b);
    const others = await Promise.all([43, 44, 45, 46, 47].map(async (i) => (await factsOf('ubuntu-22.04', i)).facts));
    expect(others.some((o) => JSON.stringify(o.installed) !== JSON.stringify(a.installed))).toBe(true);
  });

  it('looks like the platform: pockets, priorities and sections on Debian; advisories and severities on RHEL and SUSE', async () => {
    const debianUpdates = (await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map(async (i) => (await factsOf('debian-12', i)).facts.updates))).flat();
    expect(new Set(debianUpdates.map((u) => u.repository))).toEqual(new Set(['bookworm-security', 'bookworm-updates']));
    for (const u of debianUpdates) {
      expect(u.security).toBe(u.repository === 'bookworm-security');
      expect(u.priority).toMatch(/^(Required|Important|Standard|Optional)$/);
      expect(u.classification).toBeUndefined();
    }
    const rhelUpdates = (await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map(async (i) => (await factsOf('rhel-9', i)).facts.updates))).flat();
    const security = rhelUpdates.filter((u) => u.security);
    expect(security.length).toBeGreaterThan(0);
    for (const u of security) {
      expect(u.classification).toBe('Security');
      expect(u.severity).toMatch(/^(Critical|Important|Moderate|Low)$/);
      expect(u.advisoryIds?.[0]).toMatch(/^RHSA-\d{4}:\d{4}$/);
      expect(u.cveIds?.[0]).toMatch(/^CVE-\d{4}-\d{5}$/);
    }
    const al = (await factsOf('amazon-linux-2023', 8)).facts.updates;
    expect(al.every((u) => u.advisoryIds?.[0]?.startsWith('ALAS2023-'))).toBe(true);
    const sles = (await factsOf('sles-15', 8)).facts;
    expect(sles.product).toBe('Suse15.5');
    expect(sles.updates.every((u) => u.repository === 'SLE-Module-Basesystem15-SP5-Updates')).toBe(true);
  });

  it('shows new updates as the clock moves, each released no later than the clock', async () => {
    const c = clock();
    const backend = createSimulatedBackend({ platformKey: 'rhel-9', nodeIndex: 7, now: c.now });
    const before = await backend.listUpdates(signal());
    for (const u of before) expect(u.releaseDate!).toBeLessThanOrEqual(c.now());
    c.advance(120);
    const later = await backend.listUpdates(signal());
    const key = (u: { name: string; version: string }) => `${u.name}=${u.version}`;
    const fresh = later.filter((u) => !before.some((b) => key(b) === key(u)));
    expect(fresh.length).toBeGreaterThan(0);
    for (const u of fresh) expect(u.releaseDate!).toBeGreaterThan(NOW - 1);
  });

  it('installs exactly what is asked, may then need a reboot, and the reboot clears it', async () => {
    const c = clock();
    // Find a node with a pending kernel update and no pending reboot.
    let index = 1;
    for (; index < 500; index++) {
      const b = createSimulatedBackend({ platformKey: 'debian-12', nodeIndex: index, now: c.now });
      const reboot = await b.rebootFacts(signal());
      if (!reboot.required && (await b.listUpdates(signal())).some((u) => u.name === 'linux-image-amd64')) break;
    }
    const backend = createSimulatedBackend({ platformKey: 'debian-12', nodeIndex: index, now: c.now });
    const updates = await backend.listUpdates(signal());
    const kernel = updates.find((u) => u.name === 'linux-image-amd64')!;
    const other = updates.find((u) => u.name !== 'linux-image-amd64' && !u.rebootRequired);

    c.advance(1);
    const result = await backend.install(
      [
        { name: kernel.name, arch: kernel.arch, version: kernel.version },
        { name: 'tend-nonexistent', arch: 'amd64', version: '1.0' },
      ],
      signal(),
    );
    expect(result.installed).toEqual([{ name: kernel.name, arch: kernel.arch, version: kernel.version }]);
    expect(result.failed).toEqual([{ name: 'tend-nonexistent', arch: 'amd64', version: '1.0', reason: 'package tend-nonexistent is not installed' }]);
    expect(result.changes).toEqual([{ name: kernel.name, arch: kernel.arch, fromVersion: kernel.installedVersion, toVersion: kernel.version }]);
    expect(result.rebootRequired).toBe(true);

    const installed = await backend.listInstalled(signal());
    expect(installed.find((p) => p.name === kernel.name)).toMatchObject({ version: kernel.version, installedTime: c.now() });
    // Nothing else moved.
    if (other) expect(installed.find((p) => p.name === other.name)?.version).toBe(other.installedVersion);
    expect(await backend.rebootFacts(signal())).toMatchObject({ required: true, packages: ['linux-image-amd64'] });

    c.advance(1);
    backend.simulateReboot();
    expect(await backend.rebootFacts(signal())).toEqual({ required: false, lastBootTime: c.now() });
  });

  it('gives a fleet real-looking compliance under the default baselines, and installs make a node compliant', async () => {
    const c = clock();
    let compliant = 0;
    let missing = 0;
    let pendingReboot = 0;
    const nodes = 300;
    for (let i = 1; i <= nodes; i++) {
      const platform = SIM_PLATFORMS[i % SIM_PLATFORMS.length]!;
      const backend = createSimulatedBackend({ platformKey: platform.key, nodeIndex: i, now: c.now });
      const facts = await collectPackageFacts(backend, { operatingSystem: backend.operatingSystem, product: backend.product, signal: signal(), now: c.now });
      const evaluation = evaluateBaseline(facts, defaultBaselineFor(backend.operatingSystem)!, { now: c.now() });
      if (evaluation.compliant) compliant++;
      if (evaluation.counts.MissingCount > 0) missing++;
      if (evaluation.counts.InstalledPendingRebootCount > 0) pendingReboot++;
      if (i % 50 === 0 && evaluation.install.length > 0) {
        // Patch this node as an Install operation would, reboot it, and scan again.
        const result = await backend.install(evaluation.install, signal());
        expect(result.failed).toEqual([]);
        backend.simulateReboot();
        const after = await collectPackageFacts(backend, { operatingSystem: backend.operatingSystem, product: backend.product, signal: signal(), now: c.now });
        expect(evaluateBaseline(after, defaultBaselineFor(backend.operatingSystem)!, { now: c.now() }).counts.MissingCount).toBe(0);
      }
    }
    // Neither all green nor all red.
    expect(compliant).toBeGreaterThan(nodes * 0.05);
    expect(missing).toBeGreaterThan(nodes * 0.3);
    expect(pendingReboot).toBeGreaterThan(0);
  });

  it('holds thousands of nodes in little memory', async () => {
    const before = process.memoryUsage().heapUsed;
    const backends = Array.from({ length: 5000 }, (_, i) => createSimulatedBackend({ platformKey: SIM_PLATFORMS[i % SIM_PLATFORMS.length]!.key, nodeIndex: i, now: () => NOW }));
    const perNode = (process.memoryUsage().heapUsed - before) / backends.length;
    // The state of a node is two small typed arrays and a few numbers.
    expect(perNode).toBeLessThan(8 * 1024);
    const started = performance.now();
    for (const b of backends.slice(0, 1000)) await b.listUpdates(signal());
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
