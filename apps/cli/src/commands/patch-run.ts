import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { EXIT_INTERRUPTED, EXIT_NOT_ALL_SUCCEEDED, EXIT_SUCCESS } from '../output/commands.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';
import { repeatable } from './option-parsers.js';
import { sendAndFollow } from './run.js';
import { sendCommandInput, type RunRequest } from './run-options.js';

/** The document `tend patch scan|install` sends. */
export const PATCH_DOCUMENT = 'AWS-RunPatchBaseline';

export interface PatchRunOptions extends ClientCommandOptions, Pick<RunRequest, 'targets' | 'instanceIds' | 'maxConcurrency' | 'maxErrors' | 'comment' | 'timeoutSeconds'> {
  stream: boolean;
  rebootOption?: string;
  installOverrideList?: string;
  baselineOverride?: string;
  snapshotId?: string;
}

/**
 * A `tend patch` verb that sends AWS-RunPatchBaseline with one Operation and
 * follows it as `tend run` does (live output, progress, summary, exit status).
 */
export function patchOperationCommand(parent: Command, operation: 'Scan' | 'Install', description: string, help: string): Command {
  return clientCommand(parent, operation.toLowerCase(), description)
    .option('--targets <key=values>', 'nodes: tag:Env=prod[,staging], tag-key=Env, resource-groups:Name=web (repeatable; all must hold)', repeatable, [])
    .option('--instance-ids <ids>', 'nodes by id: mi-…[,mi-…] (repeatable)', repeatable, [])
    .option('--max-concurrency <n|%>', 'nodes patching at once: a number or a percentage (default 50)')
    .option('--max-errors <n|%>', 'failures after which no more nodes start: a number or a percentage (default 0)')
    .option('--timeout-seconds <seconds>', 'seconds a node may take to start before it counts as Delivery Timed Out (default 3600)')
    .option('--snapshot-id <guid>', 'SnapshotId: a GUID naming the baseline snapshot of one run')
    .option('--baseline-override <location>', 'BaselineOverride: where a JSON patch baseline is, used instead of the nodes\' own')
    .option('--comment <text>', 'a comment kept with the command (up to 100 characters)')
    .option('--no-stream', 'show only the progress and the summary, not the output')
    .addHelpText('after', help)
    .action(async (opts: PatchRunOptions) => {
      const parameter = [`Operation=${operation}`];
      if (opts.rebootOption !== undefined) {
        if (opts.rebootOption !== 'RebootIfNeeded' && opts.rebootOption !== 'NoReboot') throw new CliError('ValidationException', `--reboot-option takes RebootIfNeeded or NoReboot; got "${opts.rebootOption}"`);
        parameter.push(`RebootOption=${opts.rebootOption}`);
      }
      if (opts.installOverrideList !== undefined) parameter.push(`InstallOverrideList=${opts.installOverrideList}`);
      if (opts.baselineOverride !== undefined) parameter.push(`BaselineOverride=${opts.baselineOverride}`);
      if (opts.snapshotId !== undefined) parameter.push(`SnapshotId=${opts.snapshotId}`);
      await sendAndFollow(opts, sendCommandInput([], { ...opts, document: PATCH_DOCUMENT, parameter }));
    });
}

/** Exit statuses, as `tend run` has them. */
export const PATCH_EXIT_HELP = `
Exit status:
  ${EXIT_SUCCESS}    every targeted node ran it with Success (a Scan that finds missing patches
       is still a Success: compliance is in tend patch status / DescribeInstancePatchStates)
  1    tend could not send or follow it
  ${EXIT_NOT_ALL_SUCCEEDED}    it ended otherwise: a node Failed (a failed install, a package manager error),
       TimedOut or was Cancelled, or no node was targeted
  ${EXIT_INTERRUPTED}  interrupted by a second Ctrl-C before the command ended`;
