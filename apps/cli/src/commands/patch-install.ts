import type { Command } from 'commander';
import { PATCH_EXIT_HELP, patchOperationCommand } from './patch-run.js';

/** `tend patch install`: AWS-RunPatchBaseline Operation=Install on the targeted nodes. */
export function registerPatchInstall(patch: Command): void {
  patchOperationCommand(
    patch,
    'Install',
    'install the patches their baseline approves on nodes (AWS-RunPatchBaseline Install), rebooting them if needed',
    `
Each node installs exactly the versions its baseline approves (rejected ones
stay out; with RejectedPatchesAction BLOCK not even as dependencies), scans
again and reports. With RebootIfNeeded (the default) a node that needs a reboot
afterwards reboots through its agent's --reboot-command and reports once it is
back; with NoReboot the patches stay InstalledPendingReboot.
${PATCH_EXIT_HELP}

Examples:
  tend patch install --targets tag:Env=staging --max-concurrency 10% --max-errors 1
  tend patch install --instance-ids mi-0123456789abcdef0 --reboot-option NoReboot`,
  )
    .option('--reboot-option <option>', 'RebootIfNeeded (default) or NoReboot')
    .option('--install-override-list <location>', 'InstallOverrideList: where the list of patches to install instead of the approved ones is');
}
