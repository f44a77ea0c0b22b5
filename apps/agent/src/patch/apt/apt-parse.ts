import { compareDebianVersions, type AvailableUpdate } from '@tend/protocol';

/**
 * Parsers for what dpkg and apt print (always under LANG=C, see
 * command-runner.ts). Pure functions, so each format is tested on its own
 * with real output, and the backend only wires commands to them.
 */

// ---------------------------------------------------------------------------
// dpkg-query
// ---------------------------------------------------------------------------

/**
 * The dpkg-query format the backend asks for: one line per package, tab
 * separated. ${binary:Summary} is the first line of the description.
 */
export const DPKG_QUERY_FORMAT = '${db:Status-Abbrev}\\t${Package}\\t${Architecture}\\t${Version}\\t${Section}\\t${Priority}\\t${binary:Summary}\\n';

export interface DpkgRow {
  name: string;
  arch: string;
  version: string;
  section?: string;
  /** As dpkg spells it: `required`, `important`, `standard`, `optional`, `extra`. */
  priority?: string;
  summary?: string;
}

/**
 * Installed packages from `dpkg-query -W -f DPKG_QUERY_FORMAT`. Only
 * packages whose files are on disk and configured count (status `i`, or
 * `t`/`W` waiting on triggers); removed-but-not-purged (`rc`) and
 * half-installed ones do not.
 */
export function parseDpkgQuery(text: string): DpkgRow[] {
  const rows: DpkgRow[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const [status = '', name = '', arch = '', version = '', section = '', priority = '', summary = ''] = line.split('\t');
    // Status-Abbrev is want, status, error flag: "ii ", "rc ", "iU ", "hi "…
    if (!'itW'.includes(status.charAt(1)) || !name || !version) continue;
    rows.push({
      name,
      arch,
      version,
      ...(section ? { section } : {}),
      ...(priority ? { priority } : {}),
      ...(summary ? { summary } : {}),
    });
  }
  return rows;
}

/** `Required`, `Important`, … as the PRIORITY filter spells Debian's priorities. */
export function priorityFilterValue(priority: string | undefined): string | undefined {
  if (!priority) return undefined;
  const lower = priority.toLowerCase();
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}

/** Names `apt-mark showauto` printed (`name` for native and `all`, `name:arch` for foreign architectures). */
export function parseAptMarkList(text: string): Set<string> {
  return new Set(
    text
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean),
  );
}

// ---------------------------------------------------------------------------
// deb822 (apt-cache show, apt-get indextargets, Release files)
// ---------------------------------------------------------------------------

/**
 * Paragraphs of a deb822 text (control files, Packages, Release,
 * `apt-cache show`, `apt-get indextargets`). Field names are kept as
 * written; a continuation line is appended to its field with a newline.
 */
export function parseDeb822(text: string): Array<Record<string, string>> {
  const paragraphs: Array<Record<string, string>> = [];
  let current: Record<string, string> = {};
  let last: string | undefined;
  const flush = () => {
    if (Object.keys(current).length > 0) paragraphs.push(current);
    current = {};
    last = undefined;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (/^[ \t]/.test(line)) {
      if (last !== undefined) current[last] += '\n' + line.slice(1);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon);
    current[last] = line.slice(colon + 1).trim();
  }
  flush();
  return paragraphs;
}

// ---------------------------------------------------------------------------
// apt-cache policy
// ---------------------------------------------------------------------------

/** Fields of an index's Release file as `apt-cache policy` shows them (`release o=…,a=…,n=…,l=…,c=…,b=…`). */
export interface AptRelease {
  /** Origin */
  o?: string;
  /** Archive, the Release file's Suite: `stable-security`, `jammy-security`. */
  a?: string;
  /** Codename: `bookworm-security`, `jammy`. */
  n?: string;
  /** Label: `Debian-Security`, `Ubuntu`. */
  l?: string;
  /** Component */
  c?: string;
  /** Architecture */
  b?: string;
  /** Version */
  v?: string;
}

/**
 * The index files `apt-cache policy` (no arguments) lists, keyed by their
 * description as the per-package version tables name them
 * (`http://deb.debian.org/debian-security bookworm-security/main amd64 Packages`),
 * each with its Release fields.
 */
export function parseAptPolicyFiles(text: string): Map<string, AptRelease> {
  const files = new Map<string, AptRelease>();
  let current: string | undefined;
  for (const line of text.split('\n')) {
    const file = /^ {1,3}(-?\d+) (\S.*)$/.exec(line);
    if (file) {
      current = file[2]!.trim();
      files.set(current, {});
      continue;
    }
    const release = /^\s+release (.*)$/.exec(line);
    if (release && current !== undefined) {
      const fields: AptRelease = {};
      // Values may contain spaces (o=Tend test) but each pair starts with one letter and `=`.
      for (const pair of release[1]!.split(/,(?=[a-z]=)/)) {
        const eq = pair.indexOf('=');
        if (eq === 1) (fields as Record<string, string>)[pair.charAt(0)] = pair.slice(2);
      }
      files.set(current, fields);
      continue;
    }
    if (!/^\s/.test(line)) current = undefined;
  }
  return files;
}

export interface AptPolicyVersion {
  version: string;
  /** Pin priority of this version. */
  priority: number;
  /** The installed version (`***`). */
  installed: boolean;
  /** Index descriptions offering it; `/var/lib/dpkg/status` stands for "installed". */
  sources: string[];
}

export interface AptPolicyPackage {
  /** As apt prints it: `name` for the native architecture and `all`, `name:arch` otherwise. */
  name: string;
  installed?: string;
  candidate?: string;
  versions: AptPolicyVersion[];
}

/** The per-package blocks of `apt-cache policy NAME…`. */
export function parseAptPolicyPackages(text: string): AptPolicyPackage[] {
  const packages: AptPolicyPackage[] = [];
  let current: AptPolicyPackage | undefined;
  let version: AptPolicyVersion | undefined;
  for (const line of text.split('\n')) {
    const header = /^(\S+):$/.exec(line);
    if (header) {
      current = { name: header[1]!, versions: [] };
      version = undefined;
      packages.push(current);
      continue;
    }
    if (!current) continue;
    const field = /^ {2}(Installed|Candidate): (.+)$/.exec(line);
    if (field) {
      const value = field[2]!.trim();
      if (value !== '(none)') current[field[1] === 'Installed' ? 'installed' : 'candidate'] = value;
      continue;
    }
    // " *** 1.0-1 500" or "     1.1-1 500" (Ubuntu may add "(phased 20%)").
    const versionLine = /^ (\*\*\*| {3}) (\S+) (-?\d+)\b/.exec(line);
    if (versionLine) {
      version = { version: versionLine[2]!, priority: Number(versionLine[3]), installed: versionLine[1] === '***', sources: [] };
      current.versions.push(version);
      continue;
    }
    const source = /^ {6,}(-?\d+) (\S.*)$/.exec(line);
    if (source && version) version.sources.push(source[2]!.trim());
  }
  return packages;
}

/** The index that stands for the installed version in version tables, not a repository. */
export const DPKG_STATUS_SOURCE = '/var/lib/dpkg/status';

// ---------------------------------------------------------------------------
// Pockets and security
// ---------------------------------------------------------------------------

const POCKET = /-(security|updates|backports|proposed|proposed-updates)$/;

/**
 * The repository name a patch reports for an index: the pocket as baselines
 * and Systems Manager name it (`bookworm-security`, `jammy-updates`,
 * `bookworm`). Debian's Release files put the pocket in the Codename
 * (Suite is `stable-security`); Ubuntu's put it in the Suite (Codename is
 * `jammy`). Whichever carries a pocket suffix wins.
 */
export function pocketOf(release: AptRelease): string | undefined {
  for (const name of [release.n, release.a]) if (name && POCKET.test(name)) return name;
  return release.n || release.a || undefined;
}

/** An index from a security pocket: its codename or suite ends in `-security`, or its label says so (`Debian-Security`). */
export function isSecurityRelease(release: AptRelease): boolean {
  return [release.n, release.a].some((name) => name?.endsWith('-security')) || /(^|[-\s])security$/i.test(release.l ?? '');
}

/**
 * Where a release file for an index target is: `apt-get indextargets`
 * gives the index's list file and its MetaKey; the list file name is the
 * URI with `/` turned to `_`, so cutting the mangled MetaKey off leaves the
 * prefix of the dist's InRelease/Release files.
 */
export function releaseFilePrefix(listFile: string, metaKey: string): string | undefined {
  const mangled = metaKey.replace(/\//g, '_');
  return listFile.endsWith(mangled) ? listFile.slice(0, -mangled.length) : undefined;
}

/** The Date field of a Release/InRelease text, as epoch ms. */
export function releaseDate(text: string): number | undefined {
  // InRelease is clear-signed: the paragraph sits between the PGP header and signature.
  const body = text.replace(/^-----BEGIN PGP SIGNED MESSAGE-----\n(?:[^\n]+\n)*\n/, '');
  const date = /^Date:\s*(.+)$/m.exec(body)?.[1]?.trim();
  if (!date) return undefined;
  const ms = Date.parse(date.replace(/\bUTC$/, 'GMT'));
  return Number.isNaN(ms) ? undefined : ms;
}

// ---------------------------------------------------------------------------
// From apt's answers to available updates
// ---------------------------------------------------------------------------

/** A version of an installed package that apt could upgrade it to, with the indexes offering it. */
export interface UpgradePath {
  row: DpkgRow;
  version: string;
  sources: string[];
}

/**
 * The versions each installed package could be upgraded to: newer than the
 * installed version and no newer than apt's candidate. Every one of them,
 * not only the candidate, so a security fix stays visible when a newer
 * non-security version has superseded it and a security-only baseline can
 * still install it. Versions above the candidate (backports, lower pins,
 * phased updates apt holds back) are not apt's choice and stay out, as do
 * versions pinned never to install.
 */
export function upgradePaths(policies: readonly AptPolicyPackage[], installedByAptName: ReadonlyMap<string, DpkgRow>): UpgradePath[] {
  const paths: UpgradePath[] = [];
  for (const pkg of policies) {
    const row = installedByAptName.get(pkg.name);
    if (!row || !pkg.candidate) continue;
    for (const v of pkg.versions) {
      if (v.priority < 0 || compareDebianVersions(v.version, row.version) <= 0 || compareDebianVersions(v.version, pkg.candidate) > 0) continue;
      const sources = v.sources.filter((s) => s !== DPKG_STATUS_SOURCE);
      if (sources.length > 0) paths.push({ row, version: v.version, sources });
    }
  }
  return paths;
}

/**
 * Upgrade paths as available updates: the pocket (the security one when
 * any index offering the version is a security pocket), section, priority
 * and summary from the version's record (`apt-cache show`), and as release
 * date the earliest Date of the Release files offering it (apt keeps no
 * per-version date; the index date bounds it from above, so an approval
 * delay never starts early).
 */
export function describeUpdates(
  paths: readonly UpgradePath[],
  files: ReadonlyMap<string, AptRelease>,
  records: ReadonlyArray<Record<string, string>>,
  dates: ReadonlyMap<string, number>,
): AvailableUpdate[] {
  const recordByVersion = new Map<string, Record<string, string>>();
  for (const record of records) if (record.Package && record.Version) recordByVersion.set(`${record.Package}=${record.Version}`, record);
  return paths.map(({ row, version, sources }) => {
    const releases = sources.map((s) => files.get(s) ?? {});
    const securityRelease = releases.find(isSecurityRelease);
    const repository = pocketOf(securityRelease ?? releases[0]!);
    const sourceDates = sources.map((s) => dates.get(s)).filter((d): d is number => d !== undefined);
    const record = recordByVersion.get(`${row.name}=${version}`);
    const priority = priorityFilterValue(record?.Priority);
    const title = record?.Description?.split('\n')[0]?.trim();
    return {
      name: row.name,
      arch: row.arch,
      version,
      installedVersion: row.version,
      security: securityRelease !== undefined,
      ...(repository ? { repository } : {}),
      ...(record?.Section ? { section: record.Section } : {}),
      ...(priority ? { priority } : {}),
      ...(title ? { title } : {}),
      ...(sourceDates.length > 0 ? { releaseDate: Math.min(...sourceDates) } : {}),
    };
  });
}

// ---------------------------------------------------------------------------
// apt-get install
// ---------------------------------------------------------------------------

/** The `E:` lines of apt's output: why an install failed, in apt's words. */
export function aptErrors(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('E: '))
    .map((line) => line.slice(3).trim());
}
