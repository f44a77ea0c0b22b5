import { compareRpmVersions, type InstalledPackage } from '@tend/protocol';

/**
 * What rpm itself prints, shared by the dnf/yum and zypper backends: the
 * installed-package query, NEVRA strings, and the kernel check.
 */

/** Tab-separated, one package per line; %{EPOCH} prints `(none)` when there is none. */
export const RPM_QUERY_FORMAT = '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{INSTALLTIME}\\t%{SUMMARY}\\n';

/** The command listing installed packages. */
export const RPM_QUERY_COMMAND = ['rpm', '-qa', '--queryformat', RPM_QUERY_FORMAT];

/** `[epoch:]version-release`, with the epoch only when it is not zero (as dnf and zypper print it). */
export function evr(epoch: string | number | undefined, version: string, release: string): string {
  const e = epoch === undefined || epoch === '' || epoch === '(none)' ? 0 : Number(epoch);
  return `${e > 0 ? `${e}:` : ''}${version}-${release}`;
}

/** Installed packages from `rpm -qa --queryformat RPM_QUERY_FORMAT`; rpm's gpg-pubkey pseudo-packages are not software. */
export function parseRpmQuery(text: string): InstalledPackage[] {
  const packages: InstalledPackage[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const [name = '', epoch, version = '', release = '', arch = '', installTime = '', summary = ''] = line.split('\t');
    if (!name || !version || name === 'gpg-pubkey' || arch === '(none)') continue;
    const installedTime = Number(installTime) * 1000;
    packages.push({
      name,
      arch,
      version: evr(epoch, version, release),
      ...(Number.isFinite(installedTime) && installedTime > 0 ? { installedTime } : {}),
      ...(summary ? { title: summary } : {}),
    });
  }
  return packages;
}

export interface Nevra {
  name: string;
  /** `[epoch:]version-release` */
  evr: string;
  arch: string;
}

/**
 * Splits `name-[epoch:]version-release.arch` (dnf's and zypper's way of
 * naming a package version): the arch after the last dot, the release
 * after the last hyphen, the version after the one before.
 */
export function parseNevra(text: string): Nevra | undefined {
  const dot = text.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const arch = text.slice(dot + 1);
  const rest = text.slice(0, dot);
  const releaseDash = rest.lastIndexOf('-');
  const versionDash = releaseDash > 0 ? rest.lastIndexOf('-', releaseDash - 1) : -1;
  if (versionDash <= 0) return undefined;
  return { name: rest.slice(0, versionDash), evr: rest.slice(versionDash + 1), arch };
}

/** `name-[epoch:]version-release.arch`, the form dnf install and yum update take for one exact version. */
export function formatNevra(name: string, version: string, arch: string): string {
  return arch ? `${name}-${version}.${arch}` : `${name}-${version}`;
}

/**
 * Kernel packages rpm lists with `--queryformat '%{VERSION}-%{RELEASE}.%{ARCH}\n'`
 * and the running kernel (`uname -r`, e.g. `5.14.0-427.13.1.el9_4.x86_64`):
 * the newest installed one when it is newer than the running one.
 */
export function newerRpmKernel(running: string, installedReleases: readonly string[]): string | undefined {
  const strip = (release: string) => release.replace(/\.(x86_64|aarch64|ppc64le|s390x|i686|noarch)(\+\w+)?$/, '');
  let newest: string | undefined;
  for (const release of installedReleases) {
    if (!/^\d/.test(release)) continue; // "package kernel is not installed"
    if (!newest || compareRpmVersions(strip(release), strip(newest)) > 0) newest = release;
  }
  return newest && compareRpmVersions(strip(newest), strip(running)) > 0 ? newest : undefined;
}

/** Capitalized as the baseline filters spell advisory types and severities: `security` → `Security`. */
export function capitalize(word: string | undefined): string | undefined {
  if (!word) return undefined;
  return word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
}
