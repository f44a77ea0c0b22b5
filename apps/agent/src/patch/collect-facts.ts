import type { NodePackageFacts, OperatingSystem, PatchSource } from '@tend/protocol';
import type { PackageBackend } from './package-backend.js';

export interface CollectFactsOptions {
  operatingSystem: OperatingSystem;
  /** The node's PRODUCT (`Debian12`, `Ubuntu22.04`, …): picks the baseline sources that apply. */
  product: string;
  /** The baseline's Sources, configured for this scan only. */
  sources?: readonly PatchSource[];
  /** Skip the metadata refresh (a scan right after an install that refreshed already). */
  skipRefresh?: boolean;
  signal: AbortSignal;
  now?: () => number;
}

/**
 * A scan: with the baseline's sources in place, refresh the metadata and
 * read installed packages and available updates; then the reboot facts.
 * The result is what baseline evaluation takes (NodePackageFacts).
 */
export async function collectPackageFacts(backend: PackageBackend, options: CollectFactsOptions): Promise<NodePackageFacts> {
  const { signal } = options;
  const { installed, updates } = await backend.withSources(
    options.sources ?? [],
    options.product,
    async () => {
      if (!options.skipRefresh) await backend.refreshMetadata(signal);
      const installed = await backend.listInstalled(signal);
      const updates = await backend.listUpdates(signal);
      return { installed, updates };
    },
    signal,
  );
  const reboot = await backend.rebootFacts(signal);
  return {
    operatingSystem: options.operatingSystem,
    product: options.product,
    installed,
    updates,
    reboot,
    collectedAt: (options.now ?? Date.now)(),
  };
}
