import type { PackageFormat } from './patch-model.js';

/**
 * ApprovedPatches, RejectedPatches and InstallOverrideList entries: which
 * package versions an entry names.
 *
 * Formats (user guide, "Package name formats for approved and rejected patch lists"):
 *
 * - RPM family and SUSE: a package named by any of the constructions
 *   name, name.arch, name-version, name-version-release,
 *   name-version-release.arch, version, version-release,
 *   epoch:version-release, name-epoch:version-release,
 *   name-epoch:version-release.arch, epoch:name-version-release.arch,
 *   name.arch:epoch:version-release (e.g. `dbus.x86_64`, `dbus-1.12.28`,
 *   `dbus-1:1.12.28-1.amzn2023.0.1.x86_64`), with a single `*` wildcard;
 *   SUSE also writes the file name (`….x86_64.rpm`). In approved lists also
 *   CVE ids, advisory ids (RHSA-2017:0864, ALAS-2018-123, SUSE-SU-…) and
 *   Bugzilla ids (digits only).
 * - Debian/Ubuntu: package names. Tend also accepts `*` wildcards,
 *   `name=version` (apt's own syntax, the exact version) and, in approved
 *   lists, CVE ids when the backend reports them — issue 5 asks for these.
 *
 * An entry is tried under every reading at once (as an id and as a name
 * construction) instead of being classified first: `ALAS-2018-123` could be
 * an advisory or a package `ALAS` version 2018 release 123, and matching both
 * readings is what the operator meant in either case.
 */

/** What an entry is matched against: a package version with the ids of its advisory. */
export interface PatchCandidate {
  name: string;
  arch: string;
  version: string;
  cveIds?: readonly string[];
  advisoryIds?: readonly string[];
  bugzillaIds?: readonly string[];
}

/** How a list can relate to a package name, before looking at version and architecture. */
export const NAME_NO_MATCH = 0;
export const NAME_MATCHES = 1;
export const NAME_DEPENDS_ON_VERSION = 2;
export type NameHint = typeof NAME_NO_MATCH | typeof NAME_MATCHES | typeof NAME_DEPENDS_ON_VERSION;

export interface PatchListMatcher {
  /** The list has no entries: nothing matches (callers skip the call). */
  readonly empty: boolean;
  /** Some entries are CVE, advisory or Bugzilla ids, checked with {@link matchesIds}. */
  readonly hasIds: boolean;
  /**
   * What the name entries say about a package name alone: no entry can name
   * it, an entry names every version of it, or it depends on the version and
   * architecture ({@link matches} decides). Ids are not considered. Depends
   * on the name only, so callers may cache it per name.
   */
  nameHint(name: string): NameHint;
  /** Whether one of the package's CVE, advisory or Bugzilla ids is listed. */
  matchesIds(p: PatchCandidate): boolean;
  /** The full test: a name entry names this version, or one of its ids is listed. */
  matches(p: PatchCandidate): boolean;
}

const EMPTY_LIST: PatchListMatcher = {
  empty: true,
  hasIds: false,
  nameHint: () => NAME_NO_MATCH,
  matchesIds: () => false,
  matches: () => false,
};

const CVE_ID = /^CVE-\d{4}-\d{4,}$/i;

/**
 * Why an entry is not valid in a list for this package format, or undefined.
 * Rejected lists take package names only (the user guide lists no ids for them).
 */
export function patternProblem(format: PackageFormat, entry: string, list: 'approved' | 'rejected' | 'override'): string | undefined {
  if (/\s/.test(entry)) return `'${entry}' must not contain white space`;
  if (list === 'rejected' && CVE_ID.test(entry)) return `'${entry}': rejected patches are package names, not CVE ids`;
  if (format === 'rpm') {
    if (countStars(entry) > 1) return `'${entry}': a package name may contain a single wildcard (*)`;
    return undefined;
  }
  if (CVE_ID.test(entry)) return undefined;
  const eq = entry.indexOf('=');
  const name = eq >= 0 ? entry.slice(0, eq) : entry;
  if (!/^[A-Za-z0-9*][A-Za-z0-9+.\-*]*$/.test(name)) return `'${entry}' is not a Debian package name (letters, digits, + . - and * wildcards)`;
  if (eq >= 0 && !/^[A-Za-z0-9.+~:\-*]+$/.test(entry.slice(eq + 1))) return `'${entry}': the version after = is not a Debian version`;
  return undefined;
}

/** Compiles a list once; `matches` is then called for every package of every node. */
export function compilePatchList(format: PackageFormat, entries: readonly string[] | undefined): PatchListMatcher {
  const list = (entries ?? []).map((e) => e.trim()).filter((e) => e.length > 0);
  if (list.length === 0) return EMPTY_LIST;
  return format === 'deb' ? new DebianPatchList(list) : new RpmPatchList(list);
}

/** Ids of a candidate in the set (compared upper-case). */
function hasListedId(ids: ReadonlySet<string>, p: PatchCandidate): boolean {
  if (ids.size === 0) return false;
  return anyIn(ids, p.cveIds) || anyIn(ids, p.advisoryIds) || anyIn(ids, p.bugzillaIds);
}

/**
 * Entries that can be ids: CVE ids, Bugzilla ids (digits only) and advisory
 * ids (RHSA-2017:0864, ALAS-2018-123, ALAS2023-2024-500, SUSE-SU-2024:0001-1,
 * SUSE-SLE-Module-Basesystem-15-SP5-2024-1234). Such an entry is still tried
 * as a package name too.
 */
const ID_LIKE = /^(CVE-\d{4}-\d{4,}|\d+|[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*-\d{4}[:-]\d+(-\d+)?)$/i;

function anyIn(ids: ReadonlySet<string>, values: readonly string[] | undefined): boolean {
  if (!values) return false;
  for (const v of values) if (ids.has(v) || ids.has(v.toUpperCase())) return true;
  return false;
}

// ---------------------------------------------------------------------------
// Wildcard text
// ---------------------------------------------------------------------------

/** A text pattern with `*` wildcards (any run of characters), compiled to the cheapest test. Case-sensitive. */
type TextTest = (s: string) => boolean;

function compileText(pattern: string): TextTest {
  const stars = countStars(pattern);
  if (stars === 0) return (s) => s === pattern;
  if (pattern === '*') return () => true;
  if (stars === 1 && pattern.endsWith('*')) {
    const prefix = pattern.slice(0, -1);
    return (s) => s.startsWith(prefix);
  }
  if (stars === 1 && pattern.startsWith('*')) {
    const suffix = pattern.slice(1);
    return (s) => s.endsWith(suffix);
  }
  const re = new RegExp('^' + pattern.split('*').map(escapeRegExp).join('.*') + '$');
  return (s) => re.test(s);
}

function countStars(s: string): number {
  let n = 0;
  for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) === 42) n++;
  return n;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------------------
// Debian / Ubuntu
// ---------------------------------------------------------------------------

interface DebianEntry {
  name: TextTest;
  /** Only with `name=version`. */
  version?: TextTest;
}

class DebianPatchList implements PatchListMatcher {
  readonly empty = false;
  readonly hasIds: boolean;
  /** Entries without a wildcard in the name, by (lower-case) name. */
  private readonly byName = new Map<string, DebianEntry[]>();
  private readonly wildcard: DebianEntry[] = [];
  private readonly ids = new Set<string>();

  constructor(entries: string[]) {
    for (const entry of entries) {
      if (CVE_ID.test(entry)) {
        this.ids.add(entry.toUpperCase());
        continue;
      }
      const eq = entry.indexOf('=');
      // Debian policy makes package names lower case (the user guide's example still writes ExamplePkg33).
      const namePart = (eq >= 0 ? entry.slice(0, eq) : entry).toLowerCase();
      const compiled: DebianEntry = { name: compileText(namePart) };
      if (eq >= 0) compiled.version = compileText(entry.slice(eq + 1));
      if (namePart.includes('*')) {
        this.wildcard.push(compiled);
      } else {
        const list = this.byName.get(namePart) ?? [];
        list.push(compiled);
        this.byName.set(namePart, list);
      }
    }
    this.hasIds = this.ids.size > 0;
  }

  nameHint(name: string): NameHint {
    let dependsOnVersion = false;
    for (const e of this.byName.get(name) ?? []) {
      if (!e.version) return NAME_MATCHES;
      dependsOnVersion = true;
    }
    for (const e of this.wildcard) {
      if (!e.name(name)) continue;
      if (!e.version) return NAME_MATCHES;
      dependsOnVersion = true;
    }
    return dependsOnVersion ? NAME_DEPENDS_ON_VERSION : NAME_NO_MATCH;
  }

  matchesIds(p: PatchCandidate): boolean {
    return hasListedId(this.ids, p);
  }

  matches(p: PatchCandidate): boolean {
    const exact = this.byName.get(p.name);
    if (exact && exact.some((e) => !e.version || e.version(p.version))) return true;
    for (const e of this.wildcard) if (e.name(p.name) && (!e.version || e.version(p.version))) return true;
    return hasListedId(this.ids, p);
  }
}

// ---------------------------------------------------------------------------
// RPM family and SUSE
// ---------------------------------------------------------------------------

interface RpmEntry {
  test: TextTest;
}

class RpmPatchList implements PatchListMatcher {
  readonly empty = false;
  readonly hasIds: boolean;
  /** Entries by each package name they could start with (the text up to a `-`, `.` or `:`, or all of it). */
  private readonly byName = new Map<string, RpmEntry[]>();
  /** Wildcard entries whose name part may run past the literal prefix: tried when the name starts with it. */
  private readonly byPrefix: { prefix: string; entry: RpmEntry }[] = [];
  /** Entries that do not start with a name (version forms, epoch first, leading wildcard): tried on every package. */
  private readonly always: RpmEntry[] = [];
  private readonly ids = new Set<string>();

  constructor(entries: string[]) {
    for (const raw of entries) {
      if (ID_LIKE.test(raw)) this.ids.add(raw.toUpperCase());
      // SUSE's lists may carry the file name.
      const text = raw.endsWith('.rpm') ? raw.slice(0, -4) : raw;
      const entry: RpmEntry = { test: compileText(text) };
      const star = text.indexOf('*');
      const literal = star >= 0 ? text.slice(0, star) : text;
      if (literal.length === 0 || isDigitCode(literal.charCodeAt(0))) {
        this.always.push(entry);
        continue;
      }
      for (const name of namePrefixes(literal, star < 0)) {
        const list = this.byName.get(name) ?? [];
        list.push(entry);
        this.byName.set(name, list);
      }
      if (star >= 0) this.byPrefix.push({ prefix: literal, entry });
    }
    this.hasIds = this.ids.size > 0;
  }

  nameHint(name: string): NameHint {
    if (this.always.length > 0 || this.byName.has(name)) return NAME_DEPENDS_ON_VERSION;
    for (const { prefix } of this.byPrefix) if (name.startsWith(prefix)) return NAME_DEPENDS_ON_VERSION;
    return NAME_NO_MATCH;
  }

  matchesIds(p: PatchCandidate): boolean {
    return hasListedId(this.ids, p);
  }

  matches(p: PatchCandidate): boolean {
    const named = this.byName.get(p.name);
    if (named) for (const e of named) if (matchesAnyConstruction(e.test, p)) return true;
    for (const { prefix, entry } of this.byPrefix) {
      if (p.name.startsWith(prefix) && matchesAnyConstruction(entry.test, p)) return true;
    }
    for (const e of this.always) if (matchesAnyConstruction(e.test, p)) return true;
    return hasListedId(this.ids, p);
  }
}

/** The package names a literal entry text can begin with: each prefix ending before - . : and, when the text is complete, the whole text. */
function namePrefixes(literal: string, complete: boolean): string[] {
  const names: string[] = [];
  for (let k = 1; k < literal.length; k++) {
    const c = literal[k];
    if (c === '-' || c === '.' || c === ':') names.push(literal.slice(0, k));
  }
  if (complete) names.push(literal);
  return names;
}

/** Every spelling of the package the user guide lists, tried against one entry. */
function matchesAnyConstruction(test: TextTest, p: PatchCandidate): boolean {
  const colon = p.version.indexOf(':');
  const epoch = colon > 0 ? p.version.slice(0, colon) : '0';
  const vr = colon > 0 ? p.version.slice(colon + 1) : p.version;
  const hyphen = vr.lastIndexOf('-');
  const v = hyphen >= 0 ? vr.slice(0, hyphen) : vr;
  const n = p.name;
  const a = p.arch;
  return (
    test(n) ||
    test(`${n}.${a}`) ||
    test(`${n}-${v}`) ||
    test(`${n}-${vr}`) ||
    test(`${n}-${vr}.${a}`) ||
    test(v) ||
    test(vr) ||
    test(`${epoch}:${vr}`) ||
    test(`${n}-${epoch}:${vr}`) ||
    test(`${n}-${epoch}:${vr}.${a}`) ||
    test(`${epoch}:${n}-${vr}.${a}`) ||
    test(`${n}.${a}:${epoch}:${vr}`)
  );
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}
