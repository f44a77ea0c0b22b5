import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { compareDebianVersions, type AvailableUpdate, type InstalledPackage, type PackageToInstall, type PatchSource, type RebootFacts } from '@tend/protocol';
import { abortError, runChecked, type CommandRunner } from '../command-runner.js';
import { summarizeInstall, type InstallOptions, type InstallResult, type PackageBackend } from '../package-backend.js';
import { bootTimeOf, newerDebianKernel, runningKernelOf, type RebootProbeOptions } from '../reboot.js';
import { sourceFilesFor, withSourceFiles, type SourceFile } from '../source-files.js';
import {
  aptErrors,
  DPKG_QUERY_FORMAT,
  describeUpdates,
  upgradePaths,
  parseAptMarkList,
  parseAptPolicyFiles,
  parseAptPolicyPackages,
  parseDeb822,
  parseDpkgQuery,
  priorityFilterValue,
  releaseDate,
  releaseFilePrefix,
  type AptPolicyPackage,
  type DpkgRow,
} from './apt-parse.js';

/**
 * The apt backend (Debian, Ubuntu): dpkg's database for what is installed,
 * apt's policy for what is available and from which pocket, and
 * `apt-get install name=version` for exact installs.
 */

export interface AptBackendOptions extends RebootProbeOptions {
  runner: CommandRunner;
  /** How long apt waits for another package manager's lock before failing (default 300 s; unattended-upgrades may hold it). */
  lockTimeoutSeconds?: number;
}

/** Options every apt-get call gets: quiet, no pty progress bars, wait for the dpkg lock. */
function aptGetOptions(lockTimeoutSeconds: number): string[] {
  return ['-q', '-o', 'Dpkg::Use-Pty=0', '-o', `DPkg::Lock::Timeout=${lockTimeoutSeconds}`];
}

/** `apt-cache policy` and `apt-cache show` take package names as arguments; 1,500 names stay far below the kernel's argument limit. */
const NAMES_PER_CALL = 1500;

/** Where a Debian system notes that it wants a reboot, and which packages asked. */
export const REBOOT_REQUIRED_FILE = '/var/run/reboot-required';
export const REBOOT_REQUIRED_PKGS_FILE = '/var/run/reboot-required.pkgs';

export function createAptBackend(options: AptBackendOptions): PackageBackend {
  const { runner } = options;
  const lockTimeout = options.lockTimeoutSeconds ?? 300;
  let nativeArch: string | undefined;

  const architecture = async (signal: AbortSignal): Promise<string> => {
    nativeArch ??= (await runChecked(runner, ['dpkg', '--print-architecture'], { signal })).stdout.trim();
    return nativeArch;
  };

  /** apt's name for a package: qualified only for foreign architectures. */
  const aptName = (row: { name: string; arch: string }, native: string) =>
    row.arch === native || row.arch === 'all' ? row.name : `${row.name}:${row.arch}`;

  const dpkgRows = async (signal: AbortSignal): Promise<DpkgRow[]> =>
    parseDpkgQuery((await runChecked(runner, ['dpkg-query', '-W', '-f', DPKG_QUERY_FORMAT], { signal })).stdout);

  const autoInstalled = async (signal: AbortSignal): Promise<Set<string>> =>
    parseAptMarkList((await runChecked(runner, ['apt-mark', 'showauto'], { signal })).stdout);

  /** dpkg rewrites a package's file list when it installs it: its mtime is the install time. */
  const installedTime = async (row: DpkgRow): Promise<number | undefined> => {
    for (const name of [`${row.name}:${row.arch}.list`, `${row.name}.list`]) {
      try {
        return Math.trunc((await stat(await runner.hostPath(`/var/lib/dpkg/info/${name}`))).mtimeMs);
      } catch {
        // Multi-Arch: same packages use name:arch.list, the others name.list.
      }
    }
    return undefined;
  };

  const listInstalled = async (signal: AbortSignal): Promise<InstalledPackage[]> => {
    const [rows, auto, native] = await Promise.all([dpkgRows(signal), autoInstalled(signal), architecture(signal)]);
    return Promise.all(
      rows.map(async (row): Promise<InstalledPackage> => {
        const time = await installedTime(row);
        const priority = priorityFilterValue(row.priority);
        return {
          name: row.name,
          arch: row.arch,
          version: row.version,
          ...(row.section ? { section: row.section } : {}),
          ...(priority ? { priority } : {}),
          ...(row.summary ? { title: row.summary } : {}),
          ...(time !== undefined ? { installedTime: time } : {}),
          ...(auto.has(aptName(row, native)) || auto.has(`${row.name}:${row.arch}`) ? { dependency: true } : {}),
        };
      }),
    );
  };

  /** Release file dates by index description, for the release date of the versions each index offers. */
  const indexDates = async (signal: AbortSignal): Promise<Map<string, number>> => {
    const dates = new Map<string, number>();
    const targets = parseDeb822((await runChecked(runner, ['apt-get', 'indextargets', '--no-release-info'], { signal })).stdout);
    const byPrefix = new Map<string, number | undefined>();
    for (const target of targets) {
      const description = target.Description;
      const prefix = target.Filename && target.MetaKey ? releaseFilePrefix(target.Filename, target.MetaKey) : undefined;
      if (!description || !prefix) continue;
      if (!byPrefix.has(prefix)) {
        let date: number | undefined;
        for (const file of ['InRelease', 'Release']) {
          const text = await readFile(await runner.hostPath(prefix + file), 'utf8').catch(() => undefined);
          if (text !== undefined && (date = releaseDate(text)) !== undefined) break;
        }
        byPrefix.set(prefix, date);
      }
      const date = byPrefix.get(prefix);
      if (date !== undefined) dates.set(description, date);
    }
    return dates;
  };

  const listUpdates = async (signal: AbortSignal): Promise<AvailableUpdate[]> => {
    const [rows, native] = await Promise.all([dpkgRows(signal), architecture(signal)]);
    const rowByAptName = new Map(rows.map((row) => [aptName(row, native), row]));
    const names = [...rowByAptName.keys()];
    const chunks: string[][] = [];
    for (let i = 0; i < names.length; i += NAMES_PER_CALL) chunks.push(names.slice(i, i + NAMES_PER_CALL));
    // Read-only queries take no lock: run them side by side (each spends most of its time loading apt's cache).
    const [files, dates, policies] = await Promise.all([
      runChecked(runner, ['apt-cache', 'policy'], { signal }).then((r) => parseAptPolicyFiles(r.stdout)),
      indexDates(signal),
      Promise.all(chunks.map((chunk) => runChecked(runner, ['apt-cache', 'policy', ...chunk], { signal }))).then((results) =>
        results.flatMap((r): AptPolicyPackage[] => parseAptPolicyPackages(r.stdout)),
      ),
    ]);
    const found = upgradePaths(policies, rowByAptName);
    if (found.length === 0) return [];

    // The records of those versions: section, priority, summary.
    const records: Array<Record<string, string>> = [];
    const wanted = found.map((f) => `${aptName(f.row, native)}=${f.version}`);
    for (let i = 0; i < wanted.length; i += NAMES_PER_CALL) {
      const out = (await runChecked(runner, ['apt-cache', 'show', '--no-all-versions', ...wanted.slice(i, i + NAMES_PER_CALL)], { signal })).stdout;
      records.push(...parseDeb822(out));
    }
    return describeUpdates(found, files, records, dates);
  };

  const rebootFacts = async (signal: AbortSignal): Promise<RebootFacts> => {
    if (signal.aborted) throw abortError(signal);
    const flagged = await readFile(await runner.hostPath(REBOOT_REQUIRED_FILE)).then(
      () => true,
      () => false,
    );
    const pkgsText = await readFile(await runner.hostPath(REBOOT_REQUIRED_PKGS_FILE), 'utf8').catch(() => '');
    const packages = [...new Set(pkgsText.split('\n').map((l) => l.trim()).filter(Boolean))];
    let newerKernel: string | undefined;
    const running = await runningKernelOf(options, runner.systemRoot);
    if (running) {
      const kernels = (await readdir(await runner.hostPath('/boot')).catch(() => [] as string[]))
        .filter((f) => f.startsWith('vmlinuz-'))
        .map((f) => f.slice('vmlinuz-'.length));
      newerKernel = newerDebianKernel(running, kernels, compareDebianVersions);
    }
    const lastBootTime = await bootTimeOf(options);
    return {
      required: flagged || newerKernel !== undefined,
      ...(lastBootTime !== undefined ? { lastBootTime } : {}),
      ...(packages.length > 0 ? { packages } : {}),
    };
  };

  const install = async (packages: readonly PackageToInstall[], signal: AbortSignal, installOptions: InstallOptions = {}): Promise<InstallResult> => {
    const native = await architecture(signal);
    const before = await listInstalled(signal);
    if (packages.length === 0) {
      const reboot = await rebootFacts(signal);
      return { installed: [], failed: [], changes: [], output: '', rebootRequired: reboot.required };
    }
    const autoBefore = new Set(before.filter((p) => p.dependency).map((p) => aptName(p, native)));
    const requested = packages.map((p) => `${aptName(p, native)}=${p.version}`);
    const pins = blockedPreferences(installOptions.blocked ?? []);
    const result = await withSourceFiles(
      runner,
      pins ? [{ systemPath: '/etc/apt/preferences.d/tend-patch-blocked.pref', content: pins }] : [],
      () => runner.run(aptInstallCommand(requested, lockTimeout), { signal }),
      signal,
    );
    const output = result.stdout + result.stderr;
    // `apt-get install` marks what it was asked for as manually installed; a
    // dependency that got patched is still a dependency (RejectedPatchesAction
    // ALLOW_AS_DEPENDENCY depends on it).
    const remark = packages.map((p) => aptName(p, native)).filter((name) => autoBefore.has(name));
    if (remark.length > 0) await runChecked(runner, ['apt-mark', 'auto', ...remark], { signal });
    const after = await listInstalled(signal);
    const reason = result.exitCode === 0 ? 'not at the requested version after apt-get install' : aptErrors(output).join(' ') || `apt-get exited with ${result.exitCode}`;
    const summary = summarizeInstall('deb', packages, before, after, reason);
    const reboot = await rebootFacts(signal);
    return { ...summary, output, rebootRequired: reboot.required };
  };

  const withSources = <T>(sources: readonly PatchSource[], product: string, operation: () => Promise<T>, signal: AbortSignal): Promise<T> =>
    withSourceFiles(runner, sourceFilesFor(sources, product, aptSourceFile), operation, signal);

  return {
    kind: 'apt',
    format: 'deb',
    listInstalled,
    async refreshMetadata(signal) {
      // Error-Mode=any: a repository that fails to download fails the refresh instead of a warning.
      await runChecked(runner, ['apt-get', ...aptGetOptions(lockTimeout), '-o', 'APT::Update::Error-Mode=any', 'update'], { signal });
    },
    listUpdates,
    install,
    rebootFacts,
    withSources,
  };
}

/**
 * The install command: exactly these name=version pairs, no recommends, no
 * removals, existing configuration files kept, no prompt ever.
 */
export function aptInstallCommand(requested: readonly string[], lockTimeoutSeconds = 300): string[] {
  return [
    'apt-get',
    ...aptGetOptions(lockTimeoutSeconds),
    '-y',
    '--no-install-recommends',
    // Fail rather than remove anything to make room: a patch run must never uninstall.
    '--no-remove',
    '-o',
    'Dpkg::Options::=--force-confdef',
    '-o',
    'Dpkg::Options::=--force-confold',
    'install',
    '--',
    ...requested,
  ];
}

/** apt preferences that keep these versions out of any transaction (Pin-Priority below 0: never installed). */
export function blockedPreferences(blocked: readonly PackageToInstall[]): string | undefined {
  if (blocked.length === 0) return undefined;
  return blocked
    .map((p) => `Explanation: rejected by the patch baseline (Tend, BLOCK)\nPackage: ${p.name}\nPin: version ${p.version}\nPin-Priority: -1\n`)
    .join('\n');
}

/**
 * A baseline source as an apt sources file: one-line entries go to
 * `<stem>.list`; a deb822 stanza (Types:/URIs:) to `<stem>.sources`.
 */
export function aptSourceFile(source: PatchSource, stem: string): SourceFile {
  const deb822 = /^\s*(Types|URIs)\s*:/im.test(source.Configuration);
  return { systemPath: path.posix.join('/etc/apt/sources.list.d', `${stem}.${deb822 ? 'sources' : 'list'}`), content: source.Configuration };
}
