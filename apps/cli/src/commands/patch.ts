import type { Command } from 'commander';
import { registerPatchBaselinesCommands } from './patch-baselines.js';
import { registerPatchGroupsCommands } from './patch-groups.js';
import { registerPatchStatus } from './patch-status.js';
import { registerPatchScan } from './patch-scan.js';
import { registerPatchInstall } from './patch-install.js';

/**
 * `tend patch …`: Patch Manager. Each area registers its verbs here from
 * its own files: baselines, patch groups, fleet status, scan and install.
 */
export function registerPatchCommands(program: Command): Command {
  const patch = program.command('patch').description('Patch Manager: baselines, patch groups, patch status, scan and install');
  // Baselines and patch groups (issue 5, "Baselines and patch groups").
  registerPatchBaselinesCommands(patch);
  registerPatchGroupsCommands(patch);
  // Fleet patch status: `tend patch status` registers here.
  registerPatchStatus(patch);
  // Patching operations: AWS-RunPatchBaseline sent and followed like `tend run`.
  registerPatchScan(patch);
  registerPatchInstall(patch);
  return patch;
}
