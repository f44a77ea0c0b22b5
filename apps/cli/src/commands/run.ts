import type { Command } from 'commander';
import { CancelCommandCommand, SendCommandCommand, type SendCommandCommandInput } from '@aws-sdk/client-ssm';
import { withSsm, withTend } from '../api/ssm-client.js';
import { CliError, describeError } from '../errors.js';
import {
  EXIT_INTERRUPTED,
  EXIT_NOT_ALL_SUCCEEDED,
  EXIT_SUCCESS,
  formatProgress,
  invocationsTable,
  ProgressDisplay,
  runCounts,
  runExitCode,
} from '../output/commands.js';
import { printResult } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';
import { repeatable } from './option-parsers.js';
import { followCommand } from './run-follow.js';
import { DEFAULT_DOCUMENT, sendCommandInput, type RunRequest } from './run-options.js';

interface RunOptions extends ClientCommandOptions, RunRequest {
  stream: boolean;
}

const HELP = `
The script comes after --, one line of it per argument: -- 'apt-get update' 'apt-get -y upgrade'
(quote a command that has spaces: -- 'ls -la /tmp'). It fills the document's commands parameter.

While the command runs, each node's output is printed as it is written, stdout
as "mi-… | line" and stderr as "mi-… ! line", with a progress line on stderr
(done · failed · pending of N). Then a summary: one row per node with its
status and response code. The full output of a node, never cut:
tend commands show COMMAND_ID --instance mi-…

With --json nothing is printed until the command has ended, then the Command and
its CommandInvocations, each step with its status, response code and the first
2,500 characters of its output (Systems Manager's shapes).

Ctrl-C once cancels the command (CancelCommand) and keeps following it until it
ends; Ctrl-C again stops following at once.

Exit status:
  ${EXIT_SUCCESS}    the command ran with Success on every targeted node
  1    tend could not send or follow it (bad option, API error, server unreachable)
  ${EXIT_NOT_ALL_SUCCEEDED}    it ended otherwise: a node Failed, TimedOut or was Cancelled, or no node was targeted
  ${EXIT_INTERRUPTED}  interrupted by a second Ctrl-C before the command ended

Examples:
  tend run --targets tag:Env=prod --max-concurrency 10% --max-errors 1 -- 'uptime'
  tend run --instance-ids mi-0123456789abcdef0 --working-directory /srv/app -- 'git pull' 'systemctl restart app'
  tend run --targets resource-groups:Name=web --document Restart-Web --parameter service=nginx --no-stream
  tend run --targets tag-key=Role --json -- 'df -h /' > result.json`;

/**
 * `tend run`: SendCommand, then follow the command until it ends, showing
 * each node's output live, and finish with a summary and an exit status that
 * says whether it succeeded everywhere.
 */
export function registerRunCommand(program: Command): void {
  clientCommand(program, 'run', 'run a script (or any Command document) on managed nodes, with live output and a summary')
    .argument('[script...]', 'the script after --, one line of it per argument')
    .option('--targets <key=values>', 'nodes to run on: tag:Env=prod[,staging], tag-key=Env, resource-groups:Name=web (repeatable; all must hold)', repeatable, [])
    .option('--instance-ids <ids>', 'nodes to run on by id: mi-…[,mi-…] (repeatable)', repeatable, [])
    .option('--document <name>', 'the Command document to run', DEFAULT_DOCUMENT)
    .option('--document-version <n>', 'document version: a number, $LATEST or $DEFAULT (default: its default version)')
    .option('--parameter <name=value>', 'a document parameter (repeatable; a name given again adds a value)', repeatable, [])
    .option('--working-directory <dir>', 'directory the script runs in (AWS-RunShellScript workingDirectory)')
    .option('--execution-timeout <seconds>', 'seconds the script may run before it is stopped (AWS-RunShellScript executionTimeout, default 3600)')
    .option('--timeout-seconds <seconds>', 'seconds a node may take to start it before it counts as Delivery Timed Out (default 3600)')
    .option('--max-concurrency <n|%>', 'nodes running it at once: a number or a percentage (default 50)')
    .option('--max-errors <n|%>', 'failures after which no more nodes start it: a number or a percentage (default 0)')
    .option('--comment <text>', 'a comment kept with the command (up to 100 characters)')
    .option('--no-stream', 'show only the progress and the summary, not the output')
    .addHelpText('after', HELP)
    .action(async (script: string[], opts: RunOptions) => {
      await sendAndFollow(opts, sendCommandInput(script, opts));
    });
}

/**
 * Sends a command and follows it to its end: live output (unless
 * `stream` is false or --json), progress, the summary table, and the exit
 * status. `tend run` and `tend patch scan|install` share it.
 */
export async function sendAndFollow(opts: ClientCommandOptions & { stream: boolean }, input: SendCommandCommandInput): Promise<void> {
  const tty = Boolean(process.stderr.isTTY);
  // --json keeps both streams for the result alone, unless a person is watching the terminal.
  const display = new ProgressDisplay({ out: process.stdout, err: process.stderr, tty, progress: !opts.json || tty });
  const finished = await withSsm(opts, (ssm) =>
    withTend(opts, async (api) => {
      const { Command: sent } = await ssm.send(new SendCommandCommand(input));
      const commandId = sent?.CommandId;
      if (!commandId) throw new CliError('InternalServerError', 'SendCommand answered without a CommandId');
      if (!opts.json) {
        const targets = sent.TargetCount ?? 0;
        display.print(`Command ${commandId} (${sent.DocumentName}) sent to ${targets} node${targets === 1 ? '' : 's'}\n`);
      }
      const stopCancelling = cancelOnInterrupt(display, () => ssm.send(new CancelCommandCommand({ CommandId: commandId })), commandId);
      try {
        return await followCommand(ssm, api, commandId, { stream: opts.stream && !opts.json, display });
      } finally {
        stopCancelling();
      }
    }),
  );
  const { Command: command, CommandInvocations: invocations } = finished;
  display.finish(formatProgress(runCounts(command, invocations), command.Status));
  printResult(opts, finished, () => {
    const details = command.StatusDetails && command.StatusDetails !== command.Status ? ` (${command.StatusDetails})` : '';
    return `\n${invocationsTable(invocations)}Command ${command.CommandId}: ${command.Status}${details}\n`;
  });
  process.exitCode = runExitCode(command, invocations);
}

/**
 * The first Ctrl-C cancels the command and following goes on until it has
 * ended, so the summary shows what the cancel did; the second one exits at
 * once. Returns the function that restores Ctrl-C's usual meaning.
 */
function cancelOnInterrupt(display: ProgressDisplay, cancel: () => Promise<unknown>, commandId: string): () => void {
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts += 1;
    if (interrupts > 1) {
      display.note(`tend: stopped following; command ${commandId} goes on cancelling on the server`);
      process.exit(EXIT_INTERRUPTED);
    }
    display.note(`Cancelling command ${commandId}… (Ctrl-C again to stop following)`);
    cancel().catch((err: unknown) => display.note(`tend: ${describeError(err)}`));
  };
  process.on('SIGINT', onInterrupt);
  return () => process.off('SIGINT', onInterrupt);
}
