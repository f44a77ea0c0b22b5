import type { Command } from 'commander';
import { registerPatchGroupsLs } from './patch-groups-ls.js';
import { registerPatchGroupsRegister } from './patch-groups-register.js';
import { registerPatchGroupsDeregister } from './patch-groups-deregister.js';

/** `tend patch groups …`: which baseline each patch group (a node's `Patch Group` tag) gets, per OS. */
export function registerPatchGroupsCommands(patch: Command): void {
  const groups = patch.command('groups').description('patch groups: list, register and deregister baselines');
  registerPatchGroupsLs(groups);
  registerPatchGroupsRegister(groups);
  registerPatchGroupsDeregister(groups);
}
