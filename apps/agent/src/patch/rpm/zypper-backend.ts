import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AvailableUpdate, InstalledPackage, PackageToInstall, PatchSource, RebootFacts } from '@tend/protocol';
import { runChecked, type CommandRunner } from '../command-runner.js';
import { summarizeInstall, type InstallOptions, type InstallResult, type PackageBackend } from '../package-backend.js';
import { bootTimeOf, type RebootProbeOptions } from '../reboot.js';
import { sourceFilesFor, withSourceFiles, type SourceFile } from '../source-files.js';
import { parseRpmQuery, RPM_QUERY_COMMAND } from './rpm-parse.js';
import { parseZypperPatchInfo, parseZypperUpdatesXml, zypperUpdatesFrom } from './zypper-parse.js';

/**
 * The zypper backend (SLES, openSUSE). Built and tested on recorded outputs
 * only: no zypper runs on Tend's test machine (see README.md).
 */

export interface ZypperBackendOptions extends RebootProbeOptions {
  runner: CommandRunner;
}

/**
 * zypper's exit codes that still mean "done": 100–103 report needed
 * patches, a needed reboot (102) or a restart of zypper itself (103); 106
 * that some repositories were skipped; 107 that an rpm scriptlet failed
 * (the packages are installed all the same; the read-back decides).
 */
export const ZYPPER_DONE_EXIT_CODES = [0, 100, 101, 102, 103, 106, 107];
export const ZYPPER_EXIT_REBOOT_NEEDED = 102;

/** Where libzypp notes that an installed update asked for a reboot. */
export const ZYPP_REBOOT_NEEDED_FILE = '/run/reboot-needed';

/** Patches named per `zypper info` call. */
const PATCHES_PER_CALL = 200;

const zypper = (...args: string[]) => ['zypper', '--non-interactive', '--no-color', ...args];

/** The commands the backend runs, exported so their construction is tested on its own. */
export const zypperCommands = {
  refresh: zypper('refresh'),
  packageUpdates: zypper('--xmlout', 'list-updates', '-t', 'package'),
  patches: zypper('--xmlout', 'list-updates', '-t', 'patch'),
  patchInfo: (names: readonly string[]) => zypper('info', '-t', 'patch', ...names),
  needsRebooting: zypper('needs-rebooting'),
  install: (packages: readonly PackageToInstall[]) => [
    ...zypper('install', '--no-recommends', '--auto-agree-with-licenses'),
    '--',
    // A capability with an exact edition: `name.arch=edition` installs that version and no other.
    ...packages.map((p) => `${p.name}${p.arch ? `.${p.arch}` : ''}=${p.version}`),
  ],
};

/**
 * zypper locks (locks(5)) that keep blocked packages as they are during an
 * install: appended to /etc/zypp/locks for that install only.
 */
export function zypperLocks(blocked: readonly PackageToInstall[]): string {
  return [...new Set(blocked.map((p) => p.name))]
    .map((name) => `\n# Tend: rejected by the patch baseline (BLOCK), for this install only\ntype: package\nmatch_type: exact\ncase_sensitive: on\nsolvable_name: ${name}\n`)
    .join('');
}

/** A baseline source as a .repo file in /etc/zypp/repos.d. */
export function zyppRepoFile(source: PatchSource, stem: string): SourceFile {
  return { systemPath: path.posix.join('/etc/zypp/repos.d', `${stem}.repo`), content: source.Configuration };
}

export function createZypperBackend(options: ZypperBackendOptions): PackageBackend {
  const { runner } = options;

  const listInstalled = async (signal: AbortSignal): Promise<InstalledPackage[]> =>
    parseRpmQuery((await runChecked(runner, RPM_QUERY_COMMAND, { signal })).stdout);

  const listUpdates = async (signal: AbortSignal): Promise<AvailableUpdate[]> => {
    const installed = await listInstalled(signal);
    const packageUpdates = parseZypperUpdatesXml((await runChecked(runner, zypperCommands.packageUpdates, { signal, okExitCodes: ZYPPER_DONE_EXIT_CODES })).stdout);
    const patches = parseZypperUpdatesXml((await runChecked(runner, zypperCommands.patches, { signal, okExitCodes: ZYPPER_DONE_EXIT_CODES })).stdout).filter(
      (p) => p.kind === 'patch' && (!p.status || p.status === 'needed'),
    );
    const names = patches.map((p) => p.name);
    const infoText: string[] = [];
    for (let i = 0; i < names.length; i += PATCHES_PER_CALL) {
      infoText.push((await runChecked(runner, zypperCommands.patchInfo(names.slice(i, i + PATCHES_PER_CALL)), { signal, okExitCodes: ZYPPER_DONE_EXIT_CODES })).stdout);
    }
    return zypperUpdatesFrom(installed, packageUpdates, patches, parseZypperPatchInfo(infoText.join('\n')));
  };

  const rebootFacts = async (signal: AbortSignal): Promise<RebootFacts> => {
    const lastBootTime = await bootTimeOf(options);
    const flagged = await readFile(await runner.hostPath(ZYPP_REBOOT_NEEDED_FILE)).then(
      () => true,
      () => false,
    );
    // `zypper needs-rebooting` (zypper ≥ 1.14.? ) exits 102 when a reboot is needed; older ones do not know it.
    const check = await runner.run(zypperCommands.needsRebooting, { signal });
    const required = flagged || check.exitCode === ZYPPER_EXIT_REBOOT_NEEDED;
    return { required, ...(lastBootTime !== undefined ? { lastBootTime } : {}) };
  };

  const install = async (packages: readonly PackageToInstall[], signal: AbortSignal, installOptions: InstallOptions = {}): Promise<InstallResult> => {
    const before = await listInstalled(signal);
    let output = '';
    let reason = 'not at the requested version after zypper install';
    let zypperSaysReboot = false;
    if (packages.length > 0) {
      const blocked = installOptions.blocked ?? [];
      const locksPath = '/etc/zypp/locks';
      const existingLocks = blocked.length > 0 ? await readFile(await runner.hostPath(locksPath), 'utf8').catch(() => '') : '';
      const result = await withSourceFiles(
        runner,
        blocked.length > 0 ? [{ systemPath: locksPath, content: existingLocks + zypperLocks(blocked) }] : [],
        () => runner.run(zypperCommands.install(packages), { signal }),
        signal,
      );
      output = result.stdout + result.stderr;
      zypperSaysReboot = result.exitCode === ZYPPER_EXIT_REBOOT_NEEDED;
      if (!ZYPPER_DONE_EXIT_CODES.includes(result.exitCode)) {
        reason = output.split('\n').map((l) => l.trim()).filter(Boolean).at(-1) ?? `zypper exited with ${result.exitCode}`;
      }
    }
    const after = await listInstalled(signal);
    const reboot = await rebootFacts(signal);
    return { ...summarizeInstall('rpm', packages, before, after, reason), output, rebootRequired: zypperSaysReboot || reboot.required };
  };

  return {
    kind: 'zypper',
    format: 'rpm',
    listInstalled,
    async refreshMetadata(signal) {
      await runChecked(runner, zypperCommands.refresh, { signal });
    },
    listUpdates,
    install,
    rebootFacts,
    withSources: (sources, product, operation, signal) => withSourceFiles(runner, sourceFilesFor(sources, product, zyppRepoFile), operation, signal),
  };
}
