import type { PackageFormat } from './patch-model.js';

/**
 * Version ordering of Debian and RPM packages, as the package managers
 * themselves order them: "is this update newer than what is installed?" and
 * "which of two approved versions is the latest?" must get the same answer
 * as apt and dnf, or Tend would report a patch missing that apt considers
 * installed.
 *
 * Debian: deb-version(7) — `[epoch:]upstream[-revision]`, epochs compared as
 * numbers, then upstream and revision with dpkg's rule: alternate non-digit
 * and digit runs; in non-digit runs letters sort before other characters and
 * `~` before everything, even the end of the string; digit runs compare as
 * numbers.
 *
 * RPM: rpm's version comparison (rpmvercmp, rpm ≥ 4.15) — `[epoch:]version-release`,
 * epochs as numbers, then version and release by alternating alphabetic and
 * numeric segments; other characters only separate; numeric segments beat
 * alphabetic ones; `~` sorts before everything (pre-releases) and `^` after
 * the end of the string but before any further segment (post-release snapshots).
 */

/** Negative, zero or positive like a sort comparator. */
export type VersionComparator = (a: string, b: string) => number;

// ---------------------------------------------------------------------------
// Debian
// ---------------------------------------------------------------------------

export interface DebianVersion {
  epoch: number;
  upstream: string;
  /** '' when the version has none (native packages): it then equals a revision of `0`. */
  revision: string;
}

/** Splits `[epoch:]upstream[-revision]`: the epoch ends at the first colon, the revision starts after the last hyphen. */
export function parseDebianVersion(version: string): DebianVersion {
  let rest = version.trim();
  let epoch = 0;
  const colon = rest.indexOf(':');
  if (colon > 0 && isAllDigits(rest, 0, colon)) {
    epoch = Number(rest.slice(0, colon));
    rest = rest.slice(colon + 1);
  }
  const hyphen = rest.lastIndexOf('-');
  if (hyphen >= 0) return { epoch, upstream: rest.slice(0, hyphen), revision: rest.slice(hyphen + 1) };
  return { epoch, upstream: rest, revision: '' };
}

/** Orders two Debian versions as `dpkg --compare-versions` does. */
export function compareDebianVersions(a: string, b: string): number {
  if (a === b) return 0;
  const va = parseDebianVersion(a);
  const vb = parseDebianVersion(b);
  if (va.epoch !== vb.epoch) return va.epoch < vb.epoch ? -1 : 1;
  return compareDebianPart(va.upstream, vb.upstream) || compareDebianPart(va.revision, vb.revision);
}

/**
 * Weight of one character in a non-digit run: `~` lowest (below the end of
 * the string, which is 0), then the end, letters by code, other characters
 * after all letters.
 */
function debianCharWeight(s: string, i: number): number {
  if (i >= s.length) return 0;
  const c = s.charCodeAt(i);
  if (c === TILDE) return -1;
  if (isDigitCode(c)) return 0;
  if (isLetterCode(c)) return c;
  return c + 256;
}

function compareDebianPart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    // Non-digit run, character by character.
    while ((i < a.length && !isDigitCode(a.charCodeAt(i))) || (j < b.length && !isDigitCode(b.charCodeAt(j)))) {
      const wa = debianCharWeight(a, i);
      const wb = debianCharWeight(b, j);
      if (wa !== wb) return wa - wb;
      i++;
      j++;
    }
    // Digit run, as a number: skip leading zeros, then the longer run wins, else the first differing digit.
    while (i < a.length && a.charCodeAt(i) === ZERO) i++;
    while (j < b.length && b.charCodeAt(j) === ZERO) j++;
    let firstDiff = 0;
    while (i < a.length && j < b.length && isDigitCode(a.charCodeAt(i)) && isDigitCode(b.charCodeAt(j))) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < a.length && isDigitCode(a.charCodeAt(i))) return 1;
    if (j < b.length && isDigitCode(b.charCodeAt(j))) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

// ---------------------------------------------------------------------------
// RPM
// ---------------------------------------------------------------------------

export interface RpmVersion {
  epoch: number;
  version: string;
  /** undefined when the string has no release (a pattern like `dbus-1.12.28`). */
  release: string | undefined;
}

/** Splits `[epoch:]version[-release]`: the release starts after the last hyphen. */
export function parseRpmVersion(evr: string): RpmVersion {
  let rest = evr.trim();
  let epoch = 0;
  const colon = rest.indexOf(':');
  if (colon > 0 && isAllDigits(rest, 0, colon)) {
    epoch = Number(rest.slice(0, colon));
    rest = rest.slice(colon + 1);
  }
  const hyphen = rest.lastIndexOf('-');
  if (hyphen >= 0) return { epoch, version: rest.slice(0, hyphen), release: rest.slice(hyphen + 1) };
  return { epoch, version: rest, release: undefined };
}

/**
 * Orders two RPM EVRs as rpm does. A missing epoch is 0. When only one side
 * has a release, releases are not compared (rpm's rule for matching a
 * version against a full EVR), so `1.0` equals `1.0-3.el9`.
 */
export function compareRpmVersions(a: string, b: string): number {
  if (a === b) return 0;
  const va = parseRpmVersion(a);
  const vb = parseRpmVersion(b);
  if (va.epoch !== vb.epoch) return va.epoch < vb.epoch ? -1 : 1;
  const byVersion = rpmvercmp(va.version, vb.version);
  if (byVersion !== 0 || va.release === undefined || vb.release === undefined) return byVersion;
  return rpmvercmp(va.release, vb.release);
}

/** rpm's segment comparison of one version or release string: -1, 0 or 1. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    // Anything but letters, digits, ~ and ^ only separates segments.
    while (i < a.length && isRpmSeparator(a.charCodeAt(i))) i++;
    while (j < b.length && isRpmSeparator(b.charCodeAt(j))) j++;

    const ca = i < a.length ? a.charCodeAt(i) : -1;
    const cb = j < b.length ? b.charCodeAt(j) : -1;

    // ~ sorts before everything, the end of the string included.
    if (ca === TILDE || cb === TILDE) {
      if (ca !== TILDE) return 1;
      if (cb !== TILDE) return -1;
      i++;
      j++;
      continue;
    }
    // ^ sorts after the end of the string but before any other segment.
    if (ca === CARET || cb === CARET) {
      if (ca === -1) return -1;
      if (cb === -1) return 1;
      if (ca !== CARET) return 1;
      if (cb !== CARET) return -1;
      i++;
      j++;
      continue;
    }
    if (ca === -1 || cb === -1) break;

    // One segment from each: a digit run or a letter run, typed by a's side.
    const numeric = isDigitCode(ca);
    const endA = segmentEnd(a, i, numeric);
    const endB = segmentEnd(b, j, numeric);
    // b's segment is of the other type: numbers are newer than letters.
    if (endB === j) return numeric ? 1 : -1;

    let segA = a.slice(i, endA);
    let segB = b.slice(j, endB);
    if (numeric) {
      segA = stripLeadingZeros(segA);
      segB = stripLeadingZeros(segB);
      if (segA.length !== segB.length) return segA.length > segB.length ? 1 : -1;
    }
    if (segA !== segB) return segA < segB ? -1 : 1;
    i = endA;
    j = endB;
  }
  const doneA = i >= a.length;
  const doneB = j >= b.length;
  if (doneA && doneB) return 0;
  // The side with segments left over is newer.
  return doneA ? -1 : 1;
}

function segmentEnd(s: string, from: number, numeric: boolean): number {
  let k = from;
  while (k < s.length && (numeric ? isDigitCode(s.charCodeAt(k)) : isLetterCode(s.charCodeAt(k)))) k++;
  return k;
}

function isRpmSeparator(c: number): boolean {
  return !isDigitCode(c) && !isLetterCode(c) && c !== TILDE && c !== CARET;
}

function stripLeadingZeros(s: string): string {
  let k = 0;
  while (k < s.length - 1 && s.charCodeAt(k) === ZERO) k++;
  return k === 0 ? s : s.slice(k);
}

// ---------------------------------------------------------------------------
// Shared
// ---------------------------------------------------------------------------

/** The comparator for a package format. */
export function versionComparator(format: PackageFormat): VersionComparator {
  return format === 'deb' ? compareDebianVersions : compareRpmVersions;
}

/** Compares two full versions of the given package format. */
export function comparePackageVersions(format: PackageFormat, a: string, b: string): number {
  return format === 'deb' ? compareDebianVersions(a, b) : compareRpmVersions(a, b);
}

const ZERO = 48;
const TILDE = 126;
const CARET = 94;

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isLetterCode(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isAllDigits(s: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (!isDigitCode(s.charCodeAt(k))) return false;
  return to > from;
}
