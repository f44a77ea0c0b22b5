/**
 * Baseline evaluation for a fleet (issue 5): 10,000 nodes × 2,000 installed
 * packages evaluated against their baselines, timed. Target: under 5 s.
 * See README.md here.
 *
 *   npm run bench:patch-eval -- [--nodes 10000] [--packages 2000] [--runs 3] [--pool 256]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import {
  compileBaseline,
  defaultBaselineFor,
  evaluateNode,
  prepareNodeFacts,
  type AvailableUpdate,
  type CompiledBaseline,
  type InstalledPackage,
  type NodePackageFacts,
  type OperatingSystem,
  type PatchBaselineRules,
  type PreparedNodeFacts,
} from '@tend/protocol';

const TARGET_SECONDS = 5;
const DAY = 86_400_000;
const NOW = Date.UTC(2025, 5, 2, 12, 0, 0);

const { values: args } = parseArgs({
  options: {
    nodes: { type: 'string', default: '10000' },
    packages: { type: 'string', default: '2000' },
    runs: { type: 'string', default: '3' },
    pool: { type: 'string', default: '256' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stdout.write('usage: npm run bench:patch-eval -- [--nodes <n>=10000] [--packages <n>=2000] [--runs <n>=3] [--pool <n>=256]\n');
  process.exit(0);
}
const NODES = positiveInt('nodes', args.nodes);
const PACKAGES = positiveInt('packages', args.packages);
const RUNS = positiveInt('runs', args.runs);
const POOL = positiveInt('pool', args.pool);

// ---------------------------------------------------------------------------
// A deterministic synthetic fleet
// ---------------------------------------------------------------------------

/** mulberry32: a small seeded generator, so every run evaluates the same fleet. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(20250602);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));

interface Platform {
  os: OperatingSystem;
  product: string;
  format: 'deb' | 'rpm';
  share: number;
  /** Release tag of the distribution in versions and repository names. */
  tag: string;
}
const PLATFORMS: Platform[] = [
  { os: 'DEBIAN', product: 'Debian12', format: 'deb', share: 0.3, tag: 'bookworm' },
  { os: 'UBUNTU', product: 'Ubuntu22.04', format: 'deb', share: 0.2, tag: 'jammy' },
  { os: 'REDHAT_ENTERPRISE_LINUX', product: 'RedhatEnterpriseLinux9.4', format: 'rpm', share: 0.1, tag: 'el9' },
  { os: 'ROCKY_LINUX', product: 'RockyLinux9.4', format: 'rpm', share: 0.08, tag: 'el9' },
  { os: 'ALMA_LINUX', product: 'AlmaLinux9.4', format: 'rpm', share: 0.07, tag: 'el9' },
  { os: 'AMAZON_LINUX_2023', product: 'AmazonLinux2023', format: 'rpm', share: 0.15, tag: 'amzn2023' },
  { os: 'SUSE', product: 'Suse15.5', format: 'rpm', share: 0.1, tag: 'sle15' },
];

const STEMS = ['ssl', 'curl', 'xml2', 'z', 'systemd', 'python', 'perl', 'gnutls', 'krb5', 'sqlite', 'pam', 'glib', 'dbus', 'nss', 'expat', 'pcre', 'ffi', 'gcrypt', 'idn', 'ldap', 'sasl', 'ssh', 'tiff', 'png', 'jpeg', 'yaml', 'uv', 'event', 'cap', 'acl'];
const PREFIXES = ['lib', 'python3-', 'perl-', 'golang-', 'node-', 'fonts-', 'x11-', '', '', ''];
const SUFFIXES = ['', '-dev', '-common', '-utils', '-bin', '-data', '-doc', '-tools'];
const DEB_SECTIONS = ['libs', 'admin', 'net', 'utils', 'python', 'perl', 'devel', 'doc', 'web', 'database'];
const DEB_PRIORITIES = [...Array(3).fill('Required'), ...Array(4).fill('Important'), ...Array(5).fill('Standard'), ...Array(86).fill('Optional'), 'Extra', 'Extra'];

interface CatalogEntry {
  name: string;
  arch: string;
  base: [number, number, number];
  priority: string;
  section: string;
}

/** One catalog of package names per format, larger than a node's package set so nodes differ. */
function catalog(format: 'deb' | 'rpm', size: number): CatalogEntry[] {
  const seen = new Set<string>();
  const out: CatalogEntry[] = [];
  while (out.length < size) {
    const name = `${pick(PREFIXES)}${pick(STEMS)}${random() < 0.6 ? int(0, 40) : ''}${pick(SUFFIXES)}`;
    if (seen.has(name)) continue;
    seen.add(name);
    const noarch = random() < 0.2;
    out.push({
      name,
      arch: format === 'deb' ? (noarch ? 'all' : 'amd64') : noarch ? 'noarch' : 'x86_64',
      base: [int(0, 9), int(0, 40), int(0, 30)],
      priority: pick(DEB_PRIORITIES),
      section: pick(DEB_SECTIONS),
    });
  }
  return out;
}
const CATALOGS = { deb: catalog('deb', 3000), rpm: catalog('rpm', 3000) };

function versionOf(p: Platform, e: CatalogEntry, bump: number): string {
  const [a, b, c] = e.base;
  if (p.format === 'deb') return bump === 0 ? `${a}.${b}.${c}-1` : `${a}.${b}.${c}-1+deb12u${bump}`;
  return `${a}.${b}.${c}-${1 + bump}.${p.tag}`;
}

const RPM_CLASSES = ['Security', 'Security', 'Bugfix', 'Bugfix', 'Enhancement', undefined] as const;
const SEVERITIES: Record<string, readonly string[]> = {
  rhel: ['Critical', 'Important', 'Moderate', 'Low'],
  amzn: ['Critical', 'Important', 'Medium', 'Low'],
};

function updateFor(p: Platform, e: CatalogEntry, bump: number): AvailableUpdate {
  const releaseDate = NOW - int(0, 40) * DAY - int(0, DAY - 1);
  if (p.format === 'deb') {
    const security = random() < 0.4;
    return {
      name: e.name,
      arch: e.arch,
      version: versionOf(p, e, bump),
      repository: security ? `${p.tag}-security` : `${p.tag}-updates`,
      security,
      priority: e.priority,
      section: e.section,
      cveIds: security ? [`CVE-2025-${int(1000, 49999)}`] : undefined,
      releaseDate,
    };
  }
  const classification = pick(RPM_CLASSES);
  const severity = classification === 'Security' ? pick(p.os === 'AMAZON_LINUX_2023' ? SEVERITIES.amzn! : SEVERITIES.rhel!) : undefined;
  return {
    name: e.name,
    arch: e.arch,
    version: versionOf(p, e, bump),
    repository: p.os === 'SUSE' ? 'SLE-Module-Basesystem15-SP5-Updates' : 'baseos',
    security: classification === 'Security',
    classification,
    severity,
    advisoryIds: classification ? [`RHSA-2025:${int(1000, 9999)}`] : undefined,
    cveIds: classification === 'Security' ? [`CVE-2025-${int(1000, 49999)}`] : undefined,
    releaseDate,
  };
}

function nodeFacts(p: Platform): NodePackageFacts {
  const names = CATALOGS[p.format];
  // A random subset of the catalog: a partial Fisher–Yates shuffle.
  const order = names.map((_, k) => k);
  const count = Math.min(PACKAGES, order.length);
  for (let k = 0; k < count; k++) {
    const j = k + Math.floor(random() * (order.length - k));
    [order[k], order[j]] = [order[j]!, order[k]!];
  }
  const bootTime = NOW - int(1, 60) * DAY;
  const rebootRequired = random() < 0.05;
  const installed: InstalledPackage[] = [];
  const updates: AvailableUpdate[] = [];
  const behind = random() < 0.8; // most nodes have some updates pending
  for (let k = 0; k < count; k++) {
    const e = names[order[k]!]!;
    const bump = random() < 0.12 ? int(1, 3) : 0;
    const fromSecurity = bump > 0 && random() < 0.5;
    const pkg: InstalledPackage = {
      name: e.name,
      arch: e.arch,
      version: versionOf(p, e, bump),
      installedTime: rebootRequired && random() < 0.01 ? NOW - int(0, DAY) : bootTime - int(1, 400) * DAY,
    };
    if (p.format === 'deb') {
      pkg.priority = e.priority;
      pkg.section = e.section;
      if (fromSecurity) {
        pkg.security = true;
        pkg.repository = `${p.tag}-security`;
      }
    } else if (fromSecurity) {
      pkg.classification = 'Security';
      pkg.severity = 'Important';
      pkg.security = true;
      pkg.releaseDate = NOW - int(30, 400) * DAY;
    }
    installed.push(pkg);
    if (behind && random() < 0.015) {
      updates.push(updateFor(p, e, bump + 1));
      // Now and then a second, newer candidate (the newest approved one must win).
      if (random() < 0.2) updates.push(updateFor(p, e, bump + 2));
    }
  }
  return {
    operatingSystem: p.os,
    product: p.product,
    installed,
    updates,
    reboot: rebootRequired ? { required: true, lastBootTime: bootTime } : { required: false, lastBootTime: bootTime },
    collectedAt: NOW,
  };
}

// ---------------------------------------------------------------------------
// Baselines: the predefined ones and a few custom ones (patch groups)
// ---------------------------------------------------------------------------

const CUSTOM: Partial<Record<OperatingSystem, PatchBaselineRules>> = {
  DEBIAN: {
    OperatingSystem: 'DEBIAN',
    ApprovalRules: {
      PatchRules: [
        { PatchFilterGroup: { PatchFilters: [{ Key: 'PRIORITY', Values: ['Required', 'Important', 'Standard'] }] }, ApproveAfterDays: 3, ComplianceLevel: 'CRITICAL' },
        { PatchFilterGroup: { PatchFilters: [{ Key: 'PRIORITY', Values: ['Optional'] }, { Key: 'SECTION', Values: ['libs', 'net', 'admin'] }] }, ApproveAfterDays: 14, ComplianceLevel: 'MEDIUM', EnableNonSecurity: true },
      ],
    },
    ApprovedPatches: ['libssl3', 'libcurl*', 'CVE-2025-1234'],
    ApprovedPatchesComplianceLevel: 'HIGH',
    RejectedPatches: ['telnet*', 'libyaml7=*', 'python3-perl*'],
    RejectedPatchesAction: 'BLOCK',
  },
  UBUNTU: {
    OperatingSystem: 'UBUNTU',
    GlobalFilters: { PatchFilters: [{ Key: 'PRODUCT', Values: ['Ubuntu22.04', 'Ubuntu24.04'] }] },
    ApprovalRules: {
      PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: 'PRIORITY', Values: ['*'] }] }, ApproveAfterDays: 0, ComplianceLevel: 'HIGH', EnableNonSecurity: true }],
    },
    RejectedPatches: ['x11-*'],
  },
  REDHAT_ENTERPRISE_LINUX: {
    OperatingSystem: 'REDHAT_ENTERPRISE_LINUX',
    ApprovalRules: {
      PatchRules: [
        { PatchFilterGroup: { PatchFilters: [{ Key: 'CLASSIFICATION', Values: ['Security'] }, { Key: 'SEVERITY', Values: ['Critical', 'Important'] }] }, ApproveAfterDays: 7, ComplianceLevel: 'CRITICAL' },
        { PatchFilterGroup: { PatchFilters: [{ Key: 'CLASSIFICATION', Values: ['Bugfix', 'Enhancement'] }] }, ApproveAfterDays: 14, ComplianceLevel: 'MEDIUM', EnableNonSecurity: true },
      ],
    },
    ApprovedPatches: ['kernel-5.14.0-*', 'RHSA-2025:1234', 'openssl.x86_64'],
    RejectedPatches: ['python3-*', 'libxml2-2.9*'],
    RejectedPatchesAction: 'BLOCK',
  },
  AMAZON_LINUX_2023: {
    OperatingSystem: 'AMAZON_LINUX_2023',
    ApprovalRules: {
      PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: 'CLASSIFICATION', Values: ['*'] }] }, ApproveUntilDate: '2025-05-25', ComplianceLevel: 'HIGH', EnableNonSecurity: true }],
    },
  },
};

const compiledDefault = new Map<OperatingSystem, CompiledBaseline>();
const compiledCustom = new Map<OperatingSystem, CompiledBaseline>();
const compileStart = performance.now();
for (const p of PLATFORMS) {
  compiledDefault.set(p.os, compileBaseline(defaultBaselineFor(p.os)!));
  const custom = CUSTOM[p.os];
  if (custom) compiledCustom.set(p.os, compileBaseline(custom));
}
const compileMs = performance.now() - compileStart;

// ---------------------------------------------------------------------------
// Run
// ---------------------------------------------------------------------------

log(`node ${process.version}, ${os.availableParallelism()} CPUs, load average ${loadAverage()}`);
log(`generating a pool of ${POOL} distinct nodes × ${PACKAGES} installed packages …`);
const genStart = performance.now();
const pool: NodePackageFacts[] = [];
for (let k = 0; k < POOL; k++) {
  // Platforms in proportion to their share.
  let x = (k + 0.5) / POOL;
  let platform = PLATFORMS[PLATFORMS.length - 1]!;
  for (const p of PLATFORMS) {
    if (x < p.share) {
      platform = p;
      break;
    }
    x -= p.share;
  }
  pool.push(nodeFacts(platform));
}
const updatesInPool = pool.reduce((n, f) => n + f.updates.length, 0);
log(`generated in ${((performance.now() - genStart) / 1000).toFixed(1)} s; ${(updatesInPool / POOL).toFixed(1)} updates available per node on average`);

// What a server keeps per node between evaluations: the facts joined once per scan.
for (const facts of pool) prepareNodeFacts(facts); // warm-up
const prepStart = performance.now();
const prepared: PreparedNodeFacts[] = pool.map(prepareNodeFacts);
const prepMsPerNode = (performance.now() - prepStart) / POOL;
log(`prepared (updates joined to installed packages) in ${prepMsPerNode.toFixed(3)} ms per node, once per scan`);

/** Node k of the fleet: pool facts, and its patch group — every other node of an OS with a custom baseline uses it. */
function baselineOf(k: number, facts: NodePackageFacts): CompiledBaseline {
  const custom = compiledCustom.get(facts.operatingSystem);
  return custom && k % 2 === 1 ? custom : compiledDefault.get(facts.operatingSystem)!;
}

interface RunResult {
  seconds: number;
  /** CPU time of the process (all its threads, the garbage collector's included): the work, whatever else the machine runs. */
  cpuSeconds: number;
  rows: number;
  missing: number;
  toInstall: number;
  nonCompliantNodes: number;
}

type Mode = 'rows' | 'counts' | 'raw';
const MODE_LABELS: Record<Mode, string> = {
  rows: 'every patch row',
  counts: 'counts only',
  raw: 'counts, facts as reported',
};

function runFleet(nodes: number, mode: Mode): RunResult {
  const detail = mode === 'rows' ? 'all' : 'none';
  let rows = 0;
  let missing = 0;
  let toInstall = 0;
  let nonCompliantNodes = 0;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (let k = 0; k < nodes; k++) {
    const facts = pool[k % POOL]!;
    const input = mode === 'raw' ? facts : prepared[k % POOL]!;
    const result = evaluateNode(baselineOf(k, facts), input, { now: NOW, detail });
    rows += result.patches.length;
    missing += result.counts.MissingCount;
    toInstall += result.install.length;
    if (!result.compliant) nonCompliantNodes++;
  }
  const cpu = process.cpuUsage(cpuStart);
  return { seconds: (performance.now() - start) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, rows, missing, toInstall, nonCompliantNodes };
}

// Warm up the JIT on a tenth of the fleet, as a long-running server would be.
runFleet(Math.max(1, Math.floor(NODES / 10)), 'rows');
runFleet(Math.max(1, Math.floor(NODES / 10)), 'raw');

const table: string[][] = [];
for (const mode of ['rows', 'counts', 'raw'] as const) {
  for (let run = 1; run <= RUNS; run++) {
    const r = runFleet(NODES, mode);
    const packages = NODES * PACKAGES;
    table.push([
      MODE_LABELS[mode],
      String(run),
      `${r.seconds.toFixed(2)} s`,
      `${r.cpuSeconds.toFixed(2)} s`,
      `${Math.round(NODES / r.seconds).toLocaleString('en-US')}`,
      `${(packages / r.seconds / 1e6).toFixed(1)} M`,
      r.rows.toLocaleString('en-US'),
      r.seconds < TARGET_SECONDS ? `yes (${((r.seconds / TARGET_SECONDS) * 100).toFixed(0)} % of it)` : 'NO',
      loadAverage(),
    ]);
    log(`${mode} run ${run}: ${r.seconds.toFixed(2)} s, ${r.missing.toLocaleString('en-US')} missing, ${r.toInstall.toLocaleString('en-US')} to install, ${r.nonCompliantNodes.toLocaleString('en-US')} non-compliant nodes`);
  }
}

const headers = ['output', 'run', 'time', 'CPU time', 'nodes/s', 'packages/s', 'rows', `under ${TARGET_SECONDS} s`, 'load (1/5/15 min)'];
process.stdout.write(
  `\nBaseline evaluation: ${NODES.toLocaleString('en-US')} nodes × ${PACKAGES.toLocaleString('en-US')} installed packages, ` +
    `${compiledDefault.size + compiledCustom.size} baselines (compiled in ${compileMs.toFixed(1)} ms), one thread; ` +
    `facts prepared once per scan in ${prepMsPerNode.toFixed(2)} ms per node (the last rows include it)\n\n` +
    formatRows(headers, table) +
    `\ntarget: ${TARGET_SECONDS} s for ${NODES.toLocaleString('en-US')} × ${PACKAGES.toLocaleString('en-US')} (issue 5)\n`,
);

function formatRows(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ') + '\n';
  return line(headers) + line(widths.map((w) => '-'.repeat(w))) + rows.map(line).join('');
}

function loadAverage(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(' ');
}

function log(message: string): void {
  process.stderr.write(`[patch-eval] ${message}\n`);
}

function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`--${name} must be a positive integer, got '${text}'\n`);
    process.exit(2);
  }
  return n;
}
