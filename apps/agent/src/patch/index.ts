import { access } from 'node:fs/promises';
import { createAptBackend } from './apt/apt-backend.js';
import type { CommandRunner } from './command-runner.js';
import type { PackageBackend, PackageBackendKind } from './package-backend.js';
import type { RebootProbeOptions } from './reboot.js';
import { createDnfBackend } from './rpm/dnf-backend.js';
import { createZypperBackend } from './rpm/zypper-backend.js';

export { createAptBackend, type AptBackendOptions } from './apt/apt-backend.js';
export { createDnfBackend, type DnfBackendOptions } from './rpm/dnf-backend.js';
export { createZypperBackend, type ZypperBackendOptions } from './rpm/zypper-backend.js';
export { createSimulatedBackend, type SimulatedBackendOptions, type SimulatedPackageBackend } from './simulated/simulated-backend.js';
export { SIM_CATALOGS, simCatalog } from './simulated/sim-catalog.js';
export { createCommandRunner, runChecked, CommandFailedError, type CommandRunner, type CommandResult, type RunOptions } from './command-runner.js';
export { collectPackageFacts, type CollectFactsOptions } from './collect-facts.js';
export type { PackageBackend, PackageBackendKind, InstallOptions, InstallResult, PackageChange } from './package-backend.js';
export type { RebootProbeOptions } from './reboot.js';

/**
 * Which package manager manages the system behind `runner`, by the
 * programs present in its root: apt on Debian and Ubuntu, zypper on SUSE,
 * dnf where it exists, yum on the older RPM systems. Undefined when none.
 */
export async function detectPackageBackendKind(runner: CommandRunner): Promise<Exclude<PackageBackendKind, 'simulated'> | undefined> {
  const has = async (systemPath: string) =>
    access(await runner.hostPath(systemPath)).then(
      () => true,
      () => false,
    );
  if ((await has('/usr/bin/apt-get')) && (await has('/usr/bin/dpkg-query'))) return 'apt';
  if (await has('/usr/bin/zypper')) return 'zypper';
  if (await has('/usr/bin/dnf')) return 'dnf';
  if (await has('/usr/bin/yum')) return 'yum';
  return undefined;
}

/** The real backend of a kind, on `runner`. */
export function createPackageBackend(kind: Exclude<PackageBackendKind, 'simulated'>, runner: CommandRunner, reboot: RebootProbeOptions = {}): PackageBackend {
  switch (kind) {
    case 'apt':
      return createAptBackend({ runner, ...reboot });
    case 'zypper':
      return createZypperBackend({ runner, ...reboot });
    case 'dnf':
    case 'yum':
      return createDnfBackend({ runner, tool: kind, ...reboot });
  }
}
