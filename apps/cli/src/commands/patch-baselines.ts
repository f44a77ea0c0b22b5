import type { Command } from 'commander';
import { registerPatchBaselinesLs } from './patch-baselines-ls.js';
import { registerPatchBaselinesShow } from './patch-baselines-show.js';
import { registerPatchBaselinesCreate } from './patch-baselines-create.js';
import { registerPatchBaselinesRm } from './patch-baselines-rm.js';
import { registerPatchBaselinesDefault } from './patch-baselines-default.js';

/** `tend patch baselines …`: the predefined baselines and the account's own. */
export function registerPatchBaselinesCommands(patch: Command): void {
  const baselines = patch.command('baselines').description('patch baselines: list, show, create, delete, default per operating system');
  registerPatchBaselinesLs(baselines);
  registerPatchBaselinesShow(baselines);
  registerPatchBaselinesCreate(baselines);
  registerPatchBaselinesRm(baselines);
  registerPatchBaselinesDefault(baselines);
}

/** The operating systems Tend patches, for `--os` choices and the defaults listing. */
export const PATCHED_OPERATING_SYSTEMS = ['DEBIAN', 'UBUNTU', 'REDHAT_ENTERPRISE_LINUX', 'ROCKY_LINUX', 'ALMA_LINUX', 'CENTOS', 'AMAZON_LINUX_2023', 'SUSE'] as const;

/** Predefined baselines answer ARNs as ids, the account's own `pb-…`. */
export function ownerOfBaselineId(id: string | undefined): 'AWS' | 'Self' {
  return id?.startsWith('arn:') ? 'AWS' : 'Self';
}
