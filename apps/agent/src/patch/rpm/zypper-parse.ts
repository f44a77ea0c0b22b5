import { compareRpmVersions, type AvailableUpdate, type InstalledPackage } from '@tend/protocol';
import { capitalize } from './rpm-parse.js';

/**
 * Parsers for zypper (SLES, openSUSE), under LANG=C: the XML of
 * `zypper --xmlout list-updates -t package` and `-t patch`, and the text of
 * `zypper info -t patch`, which is where a patch names the package
 * versions it brings (its Conflicts: `pkg.arch < fixed-version`).
 *
 * zypper's XML is flat and regular (one <update> element per line group,
 * attributes in double quotes), so a small reader does; the agent carries no
 * XML library.
 */

export interface ZypperUpdate {
  kind: 'package' | 'patch' | string;
  name: string;
  edition: string;
  arch: string;
  /** Packages: the installed edition. */
  editionOld?: string;
  /** Patches: security, recommended, optional, feature, document, yast. */
  category?: string;
  /** Patches: critical, important, moderate, low, unspecified. */
  severity?: string;
  /** Patches: needed, applied, not-needed… */
  status?: string;
  /** Patches: a reboot is suggested after installing it. */
  rebootSuggested?: boolean;
  summary?: string;
  /** The repository alias. */
  repository?: string;
  /** Patches (zypper ≥ 1.14): when it was issued, epoch ms. */
  issued?: number;
  /** Patches (zypper ≥ 1.14): referenced issues. */
  cveIds: string[];
  bugzillaIds: string[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name] ?? whole;
  });
}

function attributes(tag: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w-]+)="([^"]*)"/g)) attrs[m[1]!] = decode(m[2]!);
  return attrs;
}

/** The <update> elements of `zypper --xmlout list-updates` (both the update list and the blocked list). */
export function parseZypperUpdatesXml(xml: string): ZypperUpdate[] {
  const updates: ZypperUpdate[] = [];
  for (const m of xml.matchAll(/<update\s([^>]*?)(\/>|>([\s\S]*?)<\/update>)/g)) {
    const attrs = attributes(m[1]!);
    const body = m[3] ?? '';
    if (!attrs.name || !attrs.edition) continue;
    const summary = /<summary>([\s\S]*?)<\/summary>/.exec(body)?.[1];
    const source = /<source\s([^>]*)\/?>/.exec(body);
    const issueDate = /<issue-date\s([^>]*)\/?>/.exec(body);
    const issued = issueDate ? Number(attributes(issueDate[1]!).time) * 1000 : NaN;
    const cveIds: string[] = [];
    const bugzillaIds: string[] = [];
    for (const issue of body.matchAll(/<issue\s([^>]*?)\/?>/g)) {
      const { type, id } = attributes(issue[1]!);
      if (!id) continue;
      if (type === 'cve') cveIds.push(id);
      else if (type === 'bugzilla') bugzillaIds.push(id);
    }
    updates.push({
      kind: attrs.kind ?? 'package',
      name: attrs.name,
      edition: attrs.edition,
      arch: attrs.arch ?? '',
      ...(attrs['edition-old'] ? { editionOld: attrs['edition-old'] } : {}),
      ...(attrs.category ? { category: attrs.category } : {}),
      ...(attrs.severity ? { severity: attrs.severity } : {}),
      ...(attrs.status ? { status: attrs.status } : {}),
      ...(attrs.restart ? { rebootSuggested: attrs.restart === 'true' } : {}),
      ...(summary?.trim() ? { summary: decode(summary.trim()) } : {}),
      ...(source ? { repository: attributes(source[1]!).alias } : {}),
      ...(Number.isFinite(issued) && issued > 0 ? { issued } : {}),
      cveIds,
      bugzillaIds,
    });
  }
  return updates;
}

/** A package version a patch brings: its Conflicts line `name.arch < edition`. */
export interface PatchFix {
  name: string;
  /** undefined when zypper printed no architecture. */
  arch?: string;
  edition: string;
}

export interface ZypperPatchInfo {
  name: string;
  repository?: string;
  category?: string;
  severity?: string;
  /** "Created On" (zypper prints local time without a zone; read as UTC, a day at most off). */
  created?: number;
  rebootSuggested?: boolean;
  summary?: string;
  fixes: PatchFix[];
  /** Ids found in the description (`CVE-2024-2511`, `bsc#1222548`) for zypper versions whose XML has no issue list. */
  cveIds: string[];
  bugzillaIds: string[];
}

const RPM_ARCHES = new Set(['x86_64', 'aarch64', 'ppc64le', 's390x', 'i586', 'i686', 'noarch', 'src', 'nosrc', 'armv7hl']);

/** The blocks of `zypper info -t patch NAME…`. */
export function parseZypperPatchInfo(text: string): ZypperPatchInfo[] {
  const infos: ZypperPatchInfo[] = [];
  for (const block of text.split(/^Information for patch /m).slice(1)) {
    const lines = block.split('\n');
    const name = lines[0]!.replace(/:\s*$/, '').trim();
    const fields = new Map<string, string>();
    const listed = new Map<string, string[]>();
    let key: string | undefined;
    for (const line of lines.slice(1)) {
      const field = /^([A-Z][A-Za-z ]*?)\s*: ?(.*)$/.exec(line);
      if (field) {
        key = field[1]!;
        fields.set(key, field[2]!.trim());
        continue;
      }
      if (key && /^\s+\S/.test(line)) {
        const list = listed.get(key) ?? [];
        list.push(line.trim());
        listed.set(key, list);
      }
    }
    const fixes: PatchFix[] = [];
    for (const line of listed.get('Conflicts') ?? []) {
      const m = /^(\S+)\s*<\s*(\S+)$/.exec(line);
      if (!m) continue;
      const dot = m[1]!.lastIndexOf('.');
      const arch = dot > 0 && RPM_ARCHES.has(m[1]!.slice(dot + 1)) ? m[1]!.slice(dot + 1) : undefined;
      if (arch === 'src' || arch === 'nosrc') continue;
      fixes.push({ name: arch ? m[1]!.slice(0, dot) : m[1]!, ...(arch ? { arch } : {}), edition: m[2]! });
    }
    const description = [fields.get('Description') ?? '', ...(listed.get('Description') ?? [])].join('\n');
    const created = Date.parse(`${fields.get('Created On') ?? ''} UTC`);
    const interactive = fields.get('Interactive') ?? '';
    infos.push({
      name,
      ...(fields.get('Repository') ? { repository: fields.get('Repository')! } : {}),
      ...(fields.get('Category') ? { category: fields.get('Category')! } : {}),
      ...(fields.get('Severity') ? { severity: fields.get('Severity')! } : {}),
      ...(Number.isFinite(created) ? { created } : {}),
      ...(interactive ? { rebootSuggested: /reboot/i.test(interactive) } : {}),
      ...(fields.get('Summary') ? { summary: fields.get('Summary')! } : {}),
      fixes,
      cveIds: [...new Set(description.match(/CVE-\d{4}-\d{4,}/g) ?? [])],
      bugzillaIds: [...new Set([...description.matchAll(/bsc#(\d+)/g)].map((m) => m[1]!))],
    });
  }
  return infos;
}

const SEVERITY_RANK: Record<string, number> = { critical: 4, important: 3, moderate: 2, low: 1 };

/**
 * Available updates from zypper's answers. Package updates give the
 * versions zypper would install; each needed patch names, in its
 * Conflicts, the package versions that fix it: those versions carry the
 * patch's category (classification), severity, CVEs and issue date, and a
 * fix older than zypper's candidate is offered as an update of its own (a
 * security-only baseline installs the fix, not the newer build).
 */
export function zypperUpdatesFrom(
  installed: readonly InstalledPackage[],
  packageUpdates: readonly ZypperUpdate[],
  patches: readonly ZypperUpdate[],
  patchInfos: readonly ZypperPatchInfo[],
): AvailableUpdate[] {
  const installedVersion = new Map<string, string>();
  for (const p of installed) {
    const key = `${p.name}.${p.arch}`;
    const current = installedVersion.get(key);
    if (current === undefined || compareRpmVersions(p.version, current) > 0) installedVersion.set(key, p.version);
  }
  interface Entry {
    update: AvailableUpdate;
    patches: Array<{ patch: ZypperUpdate; info?: ZypperPatchInfo }>;
  }
  const entries = new Map<string, Entry>();
  for (const u of packageUpdates) {
    if (u.kind !== 'package') continue;
    const have = u.editionOld ?? installedVersion.get(`${u.name}.${u.arch}`);
    if (have === undefined) continue;
    entries.set(`${u.name}.${u.arch}=${u.edition}`, {
      update: {
        name: u.name,
        arch: u.arch,
        version: u.edition,
        installedVersion: have,
        security: false,
        ...(u.repository ? { repository: u.repository } : {}),
        ...(u.summary ? { title: u.summary } : {}),
      },
      patches: [],
    });
  }
  const infoByName = new Map(patchInfos.map((i) => [i.name, i]));
  for (const patch of patches) {
    if (patch.kind !== 'patch' || (patch.status && patch.status !== 'needed')) continue;
    const info = infoByName.get(patch.name);
    for (const fix of info?.fixes ?? []) {
      // Which installed architectures the fix applies to: its own, or every installed one when unnamed.
      const arches = fix.arch ? [fix.arch] : installed.filter((p) => p.name === fix.name).map((p) => p.arch);
      for (const arch of new Set(arches)) {
        const have = installedVersion.get(`${fix.name}.${arch}`);
        if (have === undefined || compareRpmVersions(have, fix.edition) >= 0) continue;
        const key = `${fix.name}.${arch}=${fix.edition}`;
        let entry = entries.get(key);
        if (!entry) {
          entry = { update: { name: fix.name, arch, version: fix.edition, installedVersion: have, security: false, ...(patch.repository ? { repository: patch.repository } : {}) }, patches: [] };
          entries.set(key, entry);
        }
        entry.patches.push({ patch, ...(info ? { info } : {}) });
      }
    }
  }
  const rank = ({ patch, info }: { patch: ZypperUpdate; info?: ZypperPatchInfo }) =>
    ((patch.category ?? info?.category) === 'security' ? 10 : 0) + (SEVERITY_RANK[(patch.severity ?? info?.severity ?? '').toLowerCase()] ?? 0);
  return [...entries.values()].map(({ update, patches: fixing }) => {
    if (fixing.length === 0) return update;
    const sorted = [...fixing].sort((a, b) => rank(b) - rank(a));
    const { patch, info } = sorted[0]!;
    const category = patch.category ?? info?.category;
    const severity = patch.severity ?? info?.severity;
    const unique = (values: string[]) => [...new Set(values)];
    const cveIds = unique(sorted.flatMap(({ patch: p, info: i }) => (p.cveIds.length > 0 ? p.cveIds : (i?.cveIds ?? []))));
    const bugzillaIds = unique(sorted.flatMap(({ patch: p, info: i }) => (p.bugzillaIds.length > 0 ? p.bugzillaIds : (i?.bugzillaIds ?? []))));
    const dates = sorted.map(({ patch: p, info: i }) => p.issued ?? i?.created).filter((d): d is number => d !== undefined);
    const reboot = sorted.some(({ patch: p, info: i }) => p.rebootSuggested ?? i?.rebootSuggested ?? false);
    return {
      ...update,
      security: sorted.some(({ patch: p, info: i }) => (p.category ?? i?.category) === 'security'),
      ...(category ? { classification: capitalize(category)! } : {}),
      ...(severity && severity !== 'unspecified' ? { severity: capitalize(severity)! } : {}),
      advisoryIds: unique(sorted.map(({ patch: p }) => p.name)),
      ...(cveIds.length > 0 ? { cveIds } : {}),
      ...(bugzillaIds.length > 0 ? { bugzillaIds } : {}),
      ...(dates.length > 0 ? { releaseDate: Math.min(...dates) } : {}),
      ...(patch.summary ?? info?.summary ? { title: patch.summary ?? info!.summary! } : {}),
      ...(reboot ? { rebootRequired: true } : {}),
    };
  });
}
