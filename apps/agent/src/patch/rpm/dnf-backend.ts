import path from 'node:path';
import type { AvailableUpdate, InstalledPackage, PackageToInstall, PatchSource, RebootFacts } from '@tend/protocol';
import { runChecked, type CommandRunner } from '../command-runner.js';
import { summarizeInstall, type InstallOptions, type InstallResult, type PackageBackend } from '../package-backend.js';
import { bootTimeOf, runningKernelOf, type RebootProbeOptions } from '../reboot.js';
import { sourceFilesFor, withSourceFiles, type SourceFile } from '../source-files.js';
import { dnfUpdatesFrom, parseCheckUpdate, parseInstallReasons, parseNeedsRestarting, parseUpdateinfoInfo, parseUpdateinfoList } from './dnf-parse.js';
import { formatNevra, newerRpmKernel, parseRpmQuery, RPM_QUERY_COMMAND } from './rpm-parse.js';

/**
 * The dnf backend (RHEL 8+, Rocky, Alma, CentOS Stream, Amazon Linux 2023)
 * and its yum variant (RHEL/CentOS 7, Amazon Linux 2). Built and tested on
 * recorded outputs only: no dnf runs on Tend's test machine (see README.md).
 */

export interface DnfBackendOptions extends RebootProbeOptions {
  runner: CommandRunner;
  /** `dnf` (default) or `yum`: the same model, a few different spellings. */
  tool?: 'dnf' | 'yum';
}

/** The commands the backend runs, exported so their construction is tested on its own. */
export function dnfCommands(tool: 'dnf' | 'yum') {
  const base = [tool, '-q', '-y'];
  return {
    // --refresh marks the cached metadata expired so makecache really downloads.
    refresh: tool === 'dnf' ? [...base, 'makecache', '--refresh'] : [...base, 'makecache'],
    /** Exit code 100 means "updates available", not an error. */
    checkUpdate: [tool, '-q', 'check-update'],
    advisoryList: tool === 'dnf' ? [tool, '-q', 'updateinfo', 'list', '--updates'] : [tool, '-q', 'updateinfo', 'list', 'updates'],
    advisoryInfo: tool === 'dnf' ? [tool, '-q', 'updateinfo', 'info', '--updates'] : [tool, '-q', 'updateinfo', 'info', 'updates'],
    installReasons: tool === 'dnf' ? [tool, '-q', 'repoquery', '--installed', '--qf', '%{name}.%{arch} %{reason}'] : undefined,
    needsRestarting: tool === 'dnf' ? [tool, '-q', 'needs-restarting', '-r'] : ['needs-restarting', '-r'],
    kernels: ['rpm', '-q', '--queryformat', '%{VERSION}-%{RELEASE}.%{ARCH}\\n', 'kernel', 'kernel-core'],
    install: (packages: readonly PackageToInstall[], blocked: readonly PackageToInstall[] = []) => [
      ...base,
      // Weak dependencies are recommendations: a patch run installs what is needed, nothing more.
      ...(tool === 'dnf' ? ['--setopt=install_weak_deps=False'] : []),
      // A blocked package is out of the transaction altogether, even as a dependency.
      ...[...new Set(blocked.map((p) => p.name))].map((name) => `--exclude=${name}`),
      // dnf install upgrades an installed package to exactly this version; yum needs `update`.
      tool === 'dnf' ? 'install' : 'update',
      '--',
      ...packages.map((p) => formatNevra(p.name, p.version, p.arch)),
    ],
  };
}

/** A baseline source as a .repo file in /etc/yum.repos.d (its Configuration is the file's content). */
export function yumRepoFile(source: PatchSource, stem: string): SourceFile {
  return { systemPath: path.posix.join('/etc/yum.repos.d', `${stem}.repo`), content: source.Configuration };
}

export function createDnfBackend(options: DnfBackendOptions): PackageBackend {
  const { runner } = options;
  const tool = options.tool ?? 'dnf';
  const commands = dnfCommands(tool);

  const listInstalled = async (signal: AbortSignal): Promise<InstalledPackage[]> => {
    const packages = parseRpmQuery((await runChecked(runner, RPM_QUERY_COMMAND, { signal })).stdout);
    if (!commands.installReasons) return packages;
    // The install reason is a nicety (ALLOW_AS_DEPENDENCY): a dnf without it must not fail the scan.
    const reasons = await runner.run(commands.installReasons, { signal });
    if (reasons.exitCode !== 0) return packages;
    const dependencies = parseInstallReasons(reasons.stdout);
    return packages.map((p) => (dependencies.has(`${p.name}.${p.arch}`) ? { ...p, dependency: true } : p));
  };

  const listUpdates = async (signal: AbortSignal): Promise<AvailableUpdate[]> => {
    const installed = parseRpmQuery((await runChecked(runner, RPM_QUERY_COMMAND, { signal })).stdout);
    const checkUpdate = parseCheckUpdate((await runChecked(runner, commands.checkUpdate, { signal, okExitCodes: [0, 100] })).stdout);
    const advisoryList = parseUpdateinfoList((await runChecked(runner, commands.advisoryList, { signal })).stdout);
    const advisories = advisoryList.length > 0 ? parseUpdateinfoInfo((await runChecked(runner, commands.advisoryInfo, { signal })).stdout) : new Map();
    return dnfUpdatesFrom(installed, checkUpdate, advisoryList, advisories);
  };

  const rebootFacts = async (signal: AbortSignal): Promise<RebootFacts> => {
    const lastBootTime = await bootTimeOf(options);
    const facts = (required: boolean, packages: string[] = []): RebootFacts => ({
      required,
      ...(lastBootTime !== undefined ? { lastBootTime } : {}),
      ...(packages.length > 0 ? { packages } : {}),
    });
    // needs-restarting compares what was updated with the boot time, for the kernel and core libraries alike.
    const check = await runner.run(commands.needsRestarting, { signal });
    if (check.exitCode === 1 && /reboot is required/i.test(check.stdout)) return facts(true, parseNeedsRestarting(check.stdout));
    if (check.exitCode === 0) return facts(false);
    // No needs-restarting (dnf-plugins-core / yum-utils not installed): fall back to the kernel.
    const running = await runningKernelOf(options, runner.systemRoot);
    if (!running) return facts(false);
    const kernels = (await runner.run(commands.kernels, { signal })).stdout.split('\n').map((l) => l.trim());
    return facts(newerRpmKernel(running, kernels) !== undefined, newerRpmKernel(running, kernels) ? ['kernel'] : []);
  };

  const install = async (packages: readonly PackageToInstall[], signal: AbortSignal, installOptions: InstallOptions = {}): Promise<InstallResult> => {
    const before = await listInstalled(signal);
    let output = '';
    let reason = 'not at the requested version after the install';
    if (packages.length > 0) {
      const result = await runner.run(commands.install(packages, installOptions.blocked), { signal });
      output = result.stdout + result.stderr;
      if (result.exitCode !== 0) reason = lastErrorLine(output) ?? `${tool} exited with ${result.exitCode}`;
    }
    const after = await listInstalled(signal);
    const reboot = await rebootFacts(signal);
    return { ...summarizeInstall('rpm', packages, before, after, reason), output, rebootRequired: reboot.required };
  };

  return {
    kind: tool,
    format: 'rpm',
    listInstalled,
    async refreshMetadata(signal) {
      await runChecked(runner, commands.refresh, { signal });
    },
    listUpdates,
    install,
    rebootFacts,
    withSources: (sources, product, operation, signal) => withSourceFiles(runner, sourceFilesFor(sources, product, yumRepoFile), operation, signal),
  };
}

/** dnf's last `Error:` line (or the last line at all): why the transaction failed. */
function lastErrorLine(output: string): string | undefined {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  return [...lines].reverse().find((l) => /^(Error|No match for argument)/.test(l)) ?? lines.at(-1);
}

