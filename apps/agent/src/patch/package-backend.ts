import { comparePackageVersions, type AvailableUpdate, type InstalledPackage, type PackageFormat, type PackageToInstall, type PatchSource, type RebootFacts } from '@tend/protocol';

/**
 * What Patch Manager needs from a node's package manager, whichever it is.
 * apt, dnf/yum, zypper and the simulated fleet all implement this, so the
 * patch plugin (scan, install, reboot) is written once.
 *
 * Every method takes an AbortSignal: a cancelled command or an expired
 * execution timeout stops the package manager's whole process tree. Real
 * backends run every command through one CommandRunner, which chroots into
 * the managed system's root when the agent runs with `--system-root DIR`.
 */
export interface PackageBackend {
  /** Which package manager this is, for logs and patch history. */
  readonly kind: PackageBackendKind;
  /** deb or rpm: decides version order and how patch names are written. */
  readonly format: PackageFormat;

  /** Every installed package (dpkg-query / rpm -qa), with what the backend knows of its installed version. */
  listInstalled(signal: AbortSignal): Promise<InstalledPackage[]>;

  /**
   * Refreshes repository metadata (apt-get update, dnf makecache,
   * zypper refresh). Scans call it first; a failure is an error, since a
   * scan on stale metadata would report a node compliant that is not.
   */
  refreshMetadata(signal: AbortSignal): Promise<void>;

  /**
   * Newer versions the repositories offer for installed packages, each with
   * its origin (repository / pocket), whether it fixes a security issue,
   * severity or priority, CVE and advisory ids where the package manager
   * knows them. Uses the metadata as it is: call refreshMetadata first.
   */
  listUpdates(signal: AbortSignal): Promise<AvailableUpdate[]>;

  /**
   * Installs exactly these versions and what they strictly depend on,
   * nothing else: no upgrade of unrelated packages, no recommended extras,
   * no removals. Returns what changed, read back from the package database,
   * rather than trusting the package manager's exit code alone.
   */
  install(packages: readonly PackageToInstall[], signal: AbortSignal, options?: InstallOptions): Promise<InstallResult>;

  /** Whether the system needs a reboot, when it last booted, and which packages asked for it. */
  rebootFacts(signal: AbortSignal): Promise<RebootFacts>;

  /**
   * Runs `operation` with the baseline's extra package sources configured,
   * then restores the configuration as it was, even when the operation
   * throws or is cancelled. Only the sources whose Products name `product`
   * (or `*`) are used. Callers refresh metadata inside the operation.
   */
  withSources<T>(sources: readonly PatchSource[], product: string, operation: () => Promise<T>, signal: AbortSignal): Promise<T>;
}

export type PackageBackendKind = 'apt' | 'dnf' | 'yum' | 'zypper' | 'simulated';

export interface InstallOptions {
  /**
   * Versions the baseline rejects with RejectedPatchesAction BLOCK
   * (evaluation's `rejectedUpdates` when `blockRejected`): the install must
   * not bring them in, not even as a dependency; if a requested package
   * needs one, the install fails rather than install it.
   */
  blocked?: readonly PackageToInstall[];
}

/** One package whose installed version an install changed (or added). */
export interface PackageChange {
  name: string;
  arch: string;
  /** The version before, absent when the package was not installed. */
  fromVersion?: string;
  toVersion: string;
}

export interface InstallResult {
  /** Every requested package now at the requested version (it may have been already). */
  installed: PackageToInstall[];
  /** Requested packages that are not at the requested version afterwards, with the reason. */
  failed: Array<PackageToInstall & { reason: string }>;
  /** Everything whose installed version changed, requested or pulled in as a dependency. */
  changes: PackageChange[];
  /** The package manager's output, for the command's output and the patch history. */
  output: string;
  /** The package manager asked for a reboot (reboot-required file, needs-restarting, a new kernel). */
  rebootRequired: boolean;
}

/** The sources of a baseline that apply to `product`: Products lists it, or `*`. */
export function sourcesForProduct(sources: readonly PatchSource[], product: string): PatchSource[] {
  return sources.filter((source) => source.Products.some((p) => p === '*' || p.toLowerCase() === product.toLowerCase()));
}

/**
 * A file name for a baseline source: the name limited to the characters
 * Systems Manager allows in it (`[a-zA-Z0-9_.-]`), with Tend's prefix so the
 * agent never overwrites or removes a file it did not write.
 */
export function sourceFileStem(source: PatchSource, index: number): string {
  const safe = source.Name.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^\.+/, '') || `source-${index}`;
  return `tend-patch-${safe}`;
}

/**
 * Compares the package database before and after an install: what changed
 * and which requested versions are in place. Shared by the real backends,
 * which all read the database back instead of parsing installer output.
 * Install-only packages (kernels) keep several versions of one name and
 * architecture installed, so versions are compared as sets.
 */
export function summarizeInstall(
  format: PackageFormat,
  requested: readonly PackageToInstall[],
  before: readonly InstalledPackage[],
  after: readonly InstalledPackage[],
  failureReason: string,
): Pick<InstallResult, 'installed' | 'failed' | 'changes'> {
  const versionsOf = (list: readonly InstalledPackage[]) => {
    const map = new Map<string, { name: string; arch: string; versions: Set<string> }>();
    for (const p of list) {
      const key = `${p.name}\u0000${p.arch}`;
      const entry = map.get(key) ?? { name: p.name, arch: p.arch, versions: new Set<string>() };
      entry.versions.add(p.version);
      map.set(key, entry);
    }
    return map;
  };
  const newest = (versions: Iterable<string>) => [...versions].sort((a, b) => comparePackageVersions(format, b, a))[0];
  const was = versionsOf(before);
  const changes: PackageChange[] = [];
  for (const [key, now] of versionsOf(after)) {
    const old = was.get(key)?.versions ?? new Set<string>();
    const added = [...now.versions].filter((v) => !old.has(v));
    if (added.length === 0) continue;
    // What it replaced: the version that went away, or (install-only) the newest one kept beside it.
    const gone = [...old].filter((v) => !now.versions.has(v));
    const from = newest(gone.length > 0 ? gone : old);
    for (const toVersion of added) changes.push(from === undefined ? { name: now.name, arch: now.arch, toVersion } : { name: now.name, arch: now.arch, fromVersion: from, toVersion });
  }
  const installed: PackageToInstall[] = [];
  const failed: Array<PackageToInstall & { reason: string }> = [];
  for (const want of requested) {
    // A request without an arch matches any installed arch of that name.
    const match = after.find((p) => p.name === want.name && p.version === want.version && (p.arch === want.arch || !want.arch));
    if (match) installed.push({ name: want.name, arch: match.arch, version: want.version });
    else failed.push({ ...want, reason: failureReason });
  }
  return { installed, failed, changes };
}
