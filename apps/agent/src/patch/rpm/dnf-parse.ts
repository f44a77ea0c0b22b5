import { compareRpmVersions, type AvailableUpdate, type InstalledPackage } from '@tend/protocol';
import { capitalize, parseNevra } from './rpm-parse.js';

/**
 * Parsers for dnf's (and yum's) output, under LANG=C with -q: the package
 * updates (`check-update`), the advisories that apply to them
 * (`updateinfo list` and `updateinfo info`), the dependency marks
 * (`repoquery --qf '%{name}.%{arch} %{reason}'`) and `needs-restarting -r`.
 */

export interface CheckUpdateRow {
  name: string;
  arch: string;
  /** `[epoch:]version-release` as dnf prints it. */
  evr: string;
  /** The repository id, e.g. `baseos`, `amazonlinux`. */
  repository: string;
}

/**
 * `dnf check-update` (exit 100 when there are updates): `name.arch evr repo`
 * per package. A long name pushes the rest onto the next line, so fields
 * are read as a stream of words. The "Obsoleting Packages" part is not
 * about installed packages' updates and ends the list.
 */
export function parseCheckUpdate(text: string): CheckUpdateRow[] {
  const rows: CheckUpdateRow[] = [];
  let pending: string[] = [];
  for (const line of text.split('\n')) {
    if (/^Obsoleting Packages/.test(line)) break;
    // Informational lines: metadata age, installed security updates of other kernels.
    if (!line.trim() || /^(Last metadata expiration check|Security:)/.test(line)) continue;
    pending.push(...line.trim().split(/\s+/));
    while (pending.length >= 3) {
      const [nameArch = '', version = '', repository = ''] = pending;
      pending = pending.slice(3);
      const dot = nameArch.lastIndexOf('.');
      if (dot <= 0 || !/^[0-9]/.test(version.replace(/^\d+:/, ''))) {
        // Not a package line (a notice dnf added): resynchronise at the next line.
        pending = [];
        break;
      }
      rows.push({ name: nameArch.slice(0, dot), arch: nameArch.slice(dot + 1), evr: version, repository });
    }
  }
  return rows;
}

export interface AdvisoryPackage {
  advisoryId: string;
  /** `security`, `bugfix`, `enhancement`, `newpackage`, `unknown`. */
  type: string;
  /** For security advisories the list shows the severity: `Important/Sec.` */
  severity?: string;
  name: string;
  evr: string;
  arch: string;
}

/**
 * `dnf updateinfo list --updates` / `yum updateinfo list updates`:
 * `ADVISORY TYPE NEVRA` per package, TYPE being `<Severity>/Sec.` for
 * security advisories and `bugfix`, `enhancement`, … otherwise.
 */
export function parseUpdateinfoList(text: string): AdvisoryPackage[] {
  const rows: AdvisoryPackage[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(\S+)\s+(\S+)\s*$/.exec(line);
    if (!m) continue;
    const nevra = parseNevra(m[3]!);
    if (!nevra) continue;
    const typeField = m[2]!;
    const sec = /^(?:(\w+)\/)?Sec\.$/.exec(typeField);
    const severity = sec?.[1] && !/^(unknown|none)$/i.test(sec[1]) ? sec[1] : undefined;
    rows.push({
      advisoryId: m[1]!,
      type: sec ? 'security' : typeField.toLowerCase(),
      ...(severity ? { severity } : {}),
      name: nevra.name,
      evr: nevra.evr,
      arch: nevra.arch,
    });
  }
  return rows;
}

export interface Advisory {
  id: string;
  type?: string;
  severity?: string;
  /** When the advisory was last updated (dnf shows no issue date), epoch ms. */
  updated?: number;
  title?: string;
  cveIds: string[];
  bugzillaIds: string[];
}

/**
 * `dnf updateinfo info --updates`: one block per advisory between rules of
 * `=`, the title inside the rules, then `Key: value` lines whose
 * continuations start with a bare `:`.
 */
export function parseUpdateinfoInfo(text: string): Map<string, Advisory> {
  const advisories = new Map<string, Advisory>();
  const blocks = text.split(/^=+\s*$/m);
  // Blocks alternate: title, body, title, body…
  for (let i = 1; i + 1 < blocks.length; i += 2) {
    const title = blocks[i]!.trim();
    const fields = new Map<string, string[]>();
    let key: string | undefined;
    for (const line of blocks[i + 1]!.split('\n')) {
      const m = /^\s*([A-Za-z][A-Za-z ]*?)?\s*: ?(.*)$/.exec(line);
      if (!m) continue;
      if (m[1]) key = m[1];
      if (key === undefined) continue;
      const list = fields.get(key) ?? [];
      list.push(m[2]!.trim());
      fields.set(key, list);
    }
    const id = fields.get('Update ID')?.[0];
    if (!id) continue;
    const updatedText = fields.get('Updated')?.[0] ?? fields.get('Issued')?.[0];
    const updated = updatedText ? Date.parse(updatedText.replace(' ', 'T') + 'Z') : NaN;
    const severity = fields.get('Severity')?.[0];
    advisories.set(id, {
      id,
      ...(fields.get('Type')?.[0] ? { type: fields.get('Type')![0]!.toLowerCase() } : {}),
      ...(severity && !/^(none|unknown)$/i.test(severity) ? { severity } : {}),
      ...(Number.isFinite(updated) ? { updated } : {}),
      // "Important: openssl security update" → the part after the severity.
      ...(title ? { title: title.replace(/^(Critical|Important|Moderate|Medium|Low|None|Unknown):\s*/, '') } : {}),
      cveIds: (fields.get('CVEs') ?? []).filter((v) => /^CVE-\d{4}-\d+$/.test(v)),
      bugzillaIds: (fields.get('Bugs') ?? []).map((v) => /^(\d+)\b/.exec(v)?.[1]).filter((v): v is string => v !== undefined),
    });
  }
  return advisories;
}

/** `name.arch reason` lines of `dnf repoquery --installed --qf '%{name}.%{arch} %{reason}'`: the packages installed as dependencies. */
export function parseInstallReasons(text: string): Set<string> {
  const dependencies = new Set<string>();
  for (const line of text.split('\n')) {
    const [nameArch, reason] = line.trim().split(/\s+/);
    if (nameArch && (reason === 'dependency' || reason === 'weak-dependency')) dependencies.add(nameArch);
  }
  return dependencies;
}

/** The packages `needs-restarting -r` names as updated since boot ("  * kernel"). */
export function parseNeedsRestarting(text: string): string[] {
  return [...text.matchAll(/^\s*\*\s+(\S+)\s*$/gm)].map((m) => m[1]!);
}

/**
 * Packages whose update needs a reboot to take effect: the list
 * `dnf needs-restarting -r` itself checks (dnf-plugins-core's NEED_REBOOT),
 * plus the kernel sub-packages that carry the kernel image.
 */
const NEED_REBOOT = new Set(['kernel', 'kernel-core', 'kernel-rt', 'kernel-rt-core', 'kernel-uek', 'glibc', 'linux-firmware', 'systemd', 'udev', 'openssl-libs', 'gnutls', 'dbus', 'dbus-broker', 'dbus-daemon', 'microcode_ctl', 'zlib']);

const SEVERITY_RANK: Record<string, number> = { critical: 4, important: 3, moderate: 2, medium: 2, low: 1 };

/**
 * Available updates from dnf's answers: every version check-update offers,
 * and every version an applicable advisory names (an older fix may be
 * superseded by a newer non-advisory build; a security-only baseline still
 * needs to see it). Each version carries its advisories: classification and
 * severity from the most important one (security first, then severity),
 * CVE, advisory and Bugzilla ids from all of them, release date from the
 * earliest advisory.
 */
export function dnfUpdatesFrom(
  installed: readonly InstalledPackage[],
  checkUpdate: readonly CheckUpdateRow[],
  advisoryPackages: readonly AdvisoryPackage[],
  advisories: ReadonlyMap<string, Advisory>,
): AvailableUpdate[] {
  // Install-only packages (kernels) have several versions installed: updates count from the newest.
  const installedVersion = new Map<string, string>();
  for (const p of installed) {
    const key = `${p.name}.${p.arch}`;
    const current = installedVersion.get(key);
    if (current === undefined || compareRpmVersions(p.version, current) > 0) installedVersion.set(key, p.version);
  }
  interface Entry {
    name: string;
    arch: string;
    version: string;
    repository?: string;
    advisories: AdvisoryPackage[];
  }
  const entries = new Map<string, Entry>();
  const entryFor = (name: string, arch: string, version: string): Entry | undefined => {
    const have = installedVersion.get(`${name}.${arch}`);
    if (have === undefined || compareRpmVersions(version, have) <= 0) return undefined;
    const key = `${name}.${arch}=${version}`;
    let entry = entries.get(key);
    if (!entry) entries.set(key, (entry = { name, arch, version, advisories: [] }));
    return entry;
  };
  for (const row of checkUpdate) {
    const entry = entryFor(row.name, row.arch, row.evr);
    if (entry) entry.repository = row.repository;
  }
  for (const row of advisoryPackages) entryFor(row.name, row.arch, row.evr)?.advisories.push(row);

  const rank = (a: AdvisoryPackage) => {
    const info = advisories.get(a.advisoryId);
    const type = info?.type ?? a.type;
    const severity = (info?.severity ?? a.severity ?? '').toLowerCase();
    return (type === 'security' ? 10 : 0) + (SEVERITY_RANK[severity] ?? 0);
  };
  return [...entries.values()].map((entry) => {
    const sorted = [...entry.advisories].sort((a, b) => rank(b) - rank(a));
    const primary = sorted[0];
    const info = primary ? advisories.get(primary.advisoryId) : undefined;
    const type = info?.type ?? primary?.type;
    const classification = type && type !== 'unknown' ? capitalize(type) : undefined;
    const severity = info?.severity ?? primary?.severity;
    const unique = (values: string[]) => [...new Set(values)];
    const cveIds = unique(sorted.flatMap((a) => advisories.get(a.advisoryId)?.cveIds ?? []));
    const bugzillaIds = unique(sorted.flatMap((a) => advisories.get(a.advisoryId)?.bugzillaIds ?? []));
    const advisoryIds = unique(sorted.map((a) => a.advisoryId));
    const dates = sorted.map((a) => advisories.get(a.advisoryId)?.updated).filter((d): d is number => d !== undefined);
    const update: AvailableUpdate = {
      name: entry.name,
      arch: entry.arch,
      version: entry.version,
      installedVersion: installedVersion.get(`${entry.name}.${entry.arch}`)!,
      security: sorted.some((a) => (advisories.get(a.advisoryId)?.type ?? a.type) === 'security'),
      ...(entry.repository ? { repository: entry.repository } : {}),
      ...(classification ? { classification } : {}),
      ...(severity ? { severity: capitalize(severity)! } : {}),
      ...(cveIds.length > 0 ? { cveIds } : {}),
      ...(advisoryIds.length > 0 ? { advisoryIds } : {}),
      ...(bugzillaIds.length > 0 ? { bugzillaIds } : {}),
      ...(dates.length > 0 ? { releaseDate: Math.min(...dates) } : {}),
      ...(info?.title ? { title: info.title } : {}),
      ...(NEED_REBOOT.has(entry.name) ? { rebootRequired: true } : {}),
    };
    return update;
  });
}
