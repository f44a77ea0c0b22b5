import type { AvailableUpdate, InstalledPackage, OperatingSystem, PackageToInstall, RebootFacts } from '@tend/protocol';
import { abortError } from '../command-runner.js';
import type { InstallResult, PackageBackend, PackageChange } from '../package-backend.js';
import { SIM_DAY_MS, simCatalog, type CatalogPackage, type SimPlatformCatalog } from './sim-catalog.js';

/**
 * The package manager of a `tend sim` node: pure and in memory, so thousands
 * of nodes fit in one process. Every node of a platform sees the same
 * repository — a timeline of updates per package computed from a hash of
 * platform and package, so updates keep appearing as the clock moves — and
 * each node was last patched on a day derived from its index, so a fleet
 * shows every shade of behind. Installs succeed, change the node's state and
 * may leave it pending a reboot until `simulateReboot()`.
 *
 * Deterministic: the same platform, node index and clock give the same
 * packages, versions, advisories and dates.
 */
export interface SimulatedPackageBackend extends PackageBackend {
  readonly kind: 'simulated';
  readonly operatingSystem: OperatingSystem;
  /** PRODUCT as baselines name it, e.g. `Ubuntu22.04`. */
  readonly product: string;
  /** The node comes back from a reboot now: a pending reboot is cleared and the boot time moves. */
  simulateReboot(): void;
}

export interface SimulatedBackendOptions {
  /** The simulator's platform key, e.g. `ubuntu-22.04` (apps/agent/src/sim/platforms.ts). */
  platformKey: string;
  /** The node's index in the simulated fleet. */
  nodeIndex: number;
  /** The clock (default Date.now); updates released after it are not visible yet. */
  now?: () => number;
  /**
   * The day the fleet's history is counted back from (default: the start of
   * the UTC day of the first `now()`): nodes were last patched 0–180 days
   * before it (a few much longer), so the same day gives the same fleet.
   */
  anchor?: number;
}

/** 32-bit FNV-1a of a string. */
function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's finalizer over two integers: neighbouring inputs land far apart. */
function mix(a: number, b = 0): number {
  let h = (a ^ Math.imul(b + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Fraction in [0, 1) from a hash. */
const fraction = (h: number) => (h % 1_000_000) / 1_000_000;

/**
 * The release timeline of one package on one platform, shared by every node
 * (computed, never stored): update k ≥ 1 comes out at
 * releasedAt + offset + (k − 1) × period + jitter_k, with jitter below a
 * third of the period so the timeline is strictly increasing.
 */
class Timeline {
  readonly seed: number;
  private readonly period: number;
  private readonly start: number;

  constructor(
    readonly catalog: SimPlatformCatalog,
    readonly pkg: CatalogPackage,
  ) {
    this.seed = hashString(`${catalog.key}/${pkg.name}`);
    this.period = pkg.periodDays * SIM_DAY_MS * (0.7 + 0.6 * fraction(mix(this.seed, 1)));
    this.start = catalog.releasedAt + fraction(mix(this.seed, 2)) * this.period;
  }

  /** When update k (k ≥ 1) came out; version 0 is the platform's release. */
  time(k: number): number {
    if (k <= 0) return this.catalog.releasedAt;
    return this.start + (k - 1) * this.period + 0.3 * this.period * fraction(mix(this.seed, 1000 + k));
  }

  /** How many updates are out at `at`. */
  count(at: number): number {
    if (at < this.start) return 0;
    let k = Math.floor((at - this.start) / this.period) + 1;
    while (k > 0 && this.time(k) > at) k--;
    return k;
  }

  version(k: number): string {
    return this.catalog.version(this.pkg, k, this.seed);
  }

  security(k: number): boolean {
    return k > 0 && mix(this.seed, 5000 + k) % 100 < this.pkg.securityPercent;
  }

  /** Update k as the repository describes it. */
  update(k: number, installedVersion: string): AvailableUpdate {
    const { catalog, pkg } = this;
    const h = mix(this.seed, 9000 + k);
    const time = this.time(k);
    const security = this.security(k);
    const rpm = catalog.format === 'rpm';
    const cveIds = security ? Array.from({ length: 1 + (h % 3) }, (_, i) => `CVE-${new Date(time).getUTCFullYear()}-${20000 + (mix(h, i) % 30000)}`) : [];
    const severities = catalog.operatingSystem === 'AMAZON_LINUX_2023' ? ['Critical', 'Important', 'Medium', 'Low'] : ['Critical', 'Important', 'Moderate', 'Low'];
    // Critical 10 %, Important 40 %, Moderate 40 %, Low 10 %.
    const roll = mix(h, 77) % 100;
    const severity = severities[roll < 10 ? 0 : roll < 50 ? 1 : roll < 90 ? 2 : 3]!;
    const classification = security ? 'Security' : catalog.operatingSystem === 'SUSE' ? 'Recommended' : h % 3 === 0 ? 'Enhancement' : 'Bugfix';
    return {
      name: pkg.name,
      arch: pkg.arch,
      version: this.version(k),
      installedVersion,
      security,
      repository: catalog.repository(security),
      ...(pkg.section ? { section: pkg.section } : {}),
      ...(pkg.priority ? { priority: capitalize(pkg.priority) } : {}),
      ...(rpm ? { classification } : {}),
      ...(rpm && (security || catalog.operatingSystem === 'SUSE') ? { severity } : {}),
      ...(cveIds.length > 0 ? { cveIds } : {}),
      advisoryIds: [catalog.advisoryId(security, time, h)],
      releaseDate: Math.floor(time),
      title: rpm ? `${security ? `${severity}: ${pkg.name} security update` : `${pkg.name} bug fix update`}` : `${pkg.name} ${this.version(k)}`,
      ...(pkg.reboot ? { rebootRequired: true } : {}),
    };
  }
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** Timelines are the same for every node of a platform: build them once per process. */
const timelinesByPlatform = new Map<string, Timeline[]>();
function timelinesOf(catalog: SimPlatformCatalog): Timeline[] {
  let timelines = timelinesByPlatform.get(catalog.key);
  if (!timelines) {
    timelines = catalog.packages.map((pkg) => new Timeline(catalog, pkg));
    timelinesByPlatform.set(catalog.key, timelines);
  }
  return timelines;
}

/** Creates the package manager of simulated node `nodeIndex`. */
export function createSimulatedBackend(options: SimulatedBackendOptions): SimulatedPackageBackend {
  const catalog = simCatalog(options.platformKey);
  const timelines = timelinesOf(catalog);
  const now = options.now ?? Date.now;
  const anchor = options.anchor ?? Math.floor(now() / SIM_DAY_MS) * SIM_DAY_MS;
  const node = mix(options.nodeIndex >>> 0, 0x7e4d);

  // The node's history, like a fleet with monthly maintenance windows and some stragglers: last patched
  // within 10 days of the anchor (30 % of nodes), 10–120 days (50 %), 120–240 days (15 %), up to 540 days (5 %).
  const roll = node % 100;
  const spread = mix(node, 1);
  const behindDays = roll < 30 ? spread % 10 : roll < 80 ? 10 + (spread % 110) : roll < 95 ? 120 + (spread % 120) : 240 + (spread % 300);
  const lastPatched = Math.max(catalog.releasedAt, anchor - behindDays * SIM_DAY_MS - (mix(node, 2) % SIM_DAY_MS));
  const provisioned = Math.max(catalog.releasedAt, lastPatched - (mix(node, 3) % 400) * SIM_DAY_MS);

  // Per node state: the installed update index of each catalog package (−1: not installed) and when it was installed.
  const installed = new Int16Array(timelines.length);
  const installedAt = new Float64Array(timelines.length);
  timelines.forEach((timeline, i) => {
    if (timeline.pkg.optional && mix(node, 100 + i) % 4 === 0) {
      installed[i] = -1;
      return;
    }
    const k = timeline.count(lastPatched);
    installed[i] = k;
    installedAt[i] = k > 0 ? lastPatched : provisioned;
  });

  // One node in twelve was patched and not rebooted since.
  let pendingReboot: Set<string> | undefined;
  let lastBoot: number;
  if (mix(node, 4) % 12 === 0) {
    pendingReboot = new Set(timelines.filter((t, i) => t.pkg.reboot && installed[i]! > 0).map((t) => t.pkg.name));
    lastBoot = lastPatched - (1 + (mix(node, 5) % 20)) * SIM_DAY_MS;
    if (pendingReboot.size === 0) pendingReboot = undefined;
  } else {
    lastBoot = lastPatched + 10 * 60_000;
  }

  const check = (signal: AbortSignal) => {
    if (signal.aborted) throw abortError(signal);
  };

  const listInstalledNow = (): InstalledPackage[] => {
    const list: InstalledPackage[] = [];
    timelines.forEach((timeline, i) => {
      const k = installed[i]!;
      if (k < 0) return;
      const { pkg } = timeline;
      list.push({
        name: pkg.name,
        arch: pkg.arch,
        version: timeline.version(k),
        installedTime: Math.floor(installedAt[i]!),
        ...(pkg.section ? { section: pkg.section } : {}),
        ...(pkg.priority ? { priority: capitalize(pkg.priority) } : {}),
        ...(pkg.dependency ? { dependency: true } : {}),
      });
    });
    return list;
  };

  const listUpdatesNow = (): AvailableUpdate[] => {
    const at = now();
    const updates: AvailableUpdate[] = [];
    timelines.forEach((timeline, i) => {
      const have = installed[i]!;
      if (have < 0) return;
      const latest = timeline.count(at);
      if (latest <= have) return;
      const installedVersion = timeline.version(have);
      updates.push(timeline.update(latest, installedVersion));
      // As the real backends do: a security fix superseded by a newer non-security update stays visible.
      if (!timeline.security(latest)) {
        for (let k = latest - 1; k > have; k--) {
          if (timeline.security(k)) {
            updates.push(timeline.update(k, installedVersion));
            break;
          }
        }
      }
    });
    return updates;
  };

  const rebootFactsNow = (): RebootFacts => ({
    required: pendingReboot !== undefined,
    lastBootTime: Math.floor(lastBoot),
    ...(pendingReboot ? { packages: [...pendingReboot].sort() } : {}),
  });

  return {
    kind: 'simulated',
    format: catalog.format,
    operatingSystem: catalog.operatingSystem,
    product: catalog.product,
    async listInstalled(signal) {
      check(signal);
      return listInstalledNow();
    },
    async refreshMetadata(signal) {
      check(signal);
    },
    async listUpdates(signal) {
      check(signal);
      return listUpdatesNow();
    },
    async install(packages: readonly PackageToInstall[], signal: AbortSignal): Promise<InstallResult> {
      check(signal);
      const at = now();
      const result: InstallResult = { installed: [], failed: [], changes: [], output: '', rebootRequired: false };
      const lines: string[] = [];
      for (const want of packages) {
        const i = timelines.findIndex((t) => t.pkg.name === want.name && (!want.arch || t.pkg.arch === want.arch));
        const timeline = timelines[i];
        const have = i >= 0 ? installed[i]! : -1;
        // The requested version among the updates out by now.
        let k = -1;
        if (timeline && have >= 0) {
          for (let candidate = timeline.count(at); candidate >= 0; candidate--) {
            if (timeline.version(candidate) === want.version) {
              k = candidate;
              break;
            }
          }
        }
        if (!timeline || have < 0 || k < 0) {
          const reason = !timeline || have < 0 ? `package ${want.name} is not installed` : `version ${want.version} of ${want.name} is not available`;
          result.failed.push({ ...want, reason });
          lines.push(`E: ${reason}`);
          continue;
        }
        result.installed.push({ name: want.name, arch: timeline.pkg.arch, version: want.version });
        if (k === have) continue;
        const change: PackageChange = { name: want.name, arch: timeline.pkg.arch, fromVersion: timeline.version(have), toVersion: want.version };
        result.changes.push(change);
        lines.push(`Unpacking ${want.name} (${want.version}) over (${change.fromVersion}) ...`, `Setting up ${want.name} (${want.version}) ...`);
        installed[i] = k;
        installedAt[i] = at;
        if (timeline.pkg.reboot) (pendingReboot ??= new Set()).add(want.name);
      }
      result.output = lines.join('\n') + (lines.length > 0 ? '\n' : '');
      result.rebootRequired = pendingReboot !== undefined;
      return result;
    },
    async rebootFacts(signal) {
      check(signal);
      return rebootFactsNow();
    },
    // Simulated nodes have no repositories to add: the operation runs as it is.
    async withSources(_sources, _product, operation, signal) {
      check(signal);
      return operation();
    },
    simulateReboot() {
      pendingReboot = undefined;
      lastBoot = now();
    },
  };
}
