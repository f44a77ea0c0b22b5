import type { Command } from 'commander';
import { PATCH_EXIT_HELP, patchOperationCommand } from './patch-run.js';

/** `tend patch scan`: AWS-RunPatchBaseline Operation=Scan on the targeted nodes. */
export function registerPatchScan(patch: Command): void {
  patchOperationCommand(
    patch,
    'Scan',
    "scan nodes for missing patches under their patch baseline (AWS-RunPatchBaseline Scan): nothing is installed",
    `
Each node refreshes its package metadata, compares what is installed with what
its baseline approves, prints a summary (counts and every non-compliant patch)
and reports its patches to the server.
${PATCH_EXIT_HELP}

Examples:
  tend patch scan --targets tag:Env=prod
  tend patch scan --instance-ids mi-0123456789abcdef0 --no-stream`,
  );
}
