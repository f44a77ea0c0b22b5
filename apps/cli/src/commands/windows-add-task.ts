import { Option, type Command } from 'commander';
import { RegisterTaskWithMaintenanceWindowCommand, paginateDescribeMaintenanceWindowTargets, type Target } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { printResult, table } from '../output/print.js';
import { CliError } from '../errors.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';
import { positiveInteger, repeatable } from './option-parsers.js';
import { DEFAULT_DOCUMENT, parseParameters } from './run-options.js';

interface AddTaskOptions extends ClientCommandOptions {
  document: string;
  documentVersion?: string;
  parameter: string[];
  windowTarget: string[];
  instanceIds: string[];
  priority: string;
  maxConcurrency?: string;
  maxErrors?: string;
  cutoffBehavior: 'continue' | 'cancel';
  timeoutSeconds?: string;
  comment?: string;
  name?: string;
  description?: string;
}

/**
 * `tend windows add-task ID -- 'apt-get update'`: RegisterTaskWithMaintenanceWindow,
 * a Run Command task. Without --window-target or --instance-ids it targets
 * every target the window has, as a patching window usually means to.
 */
export function registerWindowsAddTask(windows: Command): void {
  clientCommand(windows, 'add-task', 'add a Run Command task to a window (the script after --, or a document with --parameter)')
    .argument('<window-id>', 'mw-… id')
    .argument('[script...]', 'for AWS-RunShellScript: the script after --, one line of it per argument')
    .option('--document <name>', 'the Command document the task runs (AWS-RunPatchBaseline to patch)', DEFAULT_DOCUMENT)
    .option('--document-version <n>', 'document version: a number, $LATEST or $DEFAULT')
    .option('--parameter <name=value>', 'a document parameter (repeatable), e.g. Operation=Install', repeatable, [])
    .option('--window-target <id>', "one of the window's target ids to run on (repeatable; default: all of them)", repeatable, [])
    .option('--instance-ids <ids>', 'nodes by id instead of window targets: mi-…[,mi-…] (repeatable)', repeatable, [])
    .option('--priority <n>', 'lower runs first; tasks of equal priority run side by side', '1')
    .option('--max-concurrency <n|%>', 'nodes running the task at once')
    .option('--max-errors <n|%>', 'failures after which no more nodes start it')
    .addOption(new Option('--cutoff-behavior <what>', "at the window's cutoff: let the task finish, or cancel it").choices(['continue', 'cancel']).default('continue'))
    .option('--timeout-seconds <seconds>', 'seconds a node may take to start the command')
    .option('--comment <text>', "the command's comment")
    .option('--name <name>', 'a name for the task')
    .option('--description <text>', 'what the task does')
    .action(async (windowId: string, script: string[], opts: AddTaskOptions) => {
      const parameters = parseParameters(opts.parameter);
      if (script.length) {
        if (parameters.commands) throw new CliError('ValidationException', 'the script and --parameter commands=… both set commands; give one');
        parameters.commands = [...script];
      }
      if (opts.document === DEFAULT_DOCUMENT && !parameters.commands) {
        throw new CliError('ValidationException', "nothing to run: give the script after --, e.g. tend windows add-task mw-… -- 'apt-get update'");
      }
      const priority = Number(opts.priority);
      if (!Number.isInteger(priority) || priority < 0) throw new CliError('ValidationException', `--priority takes a whole number ≥ 0; got "${opts.priority}"`);
      const instanceIds = opts.instanceIds.flatMap((ids) => ids.split(',')).filter(Boolean);
      if (instanceIds.length && opts.windowTarget.length) throw new CliError('ValidationException', 'give --window-target or --instance-ids, not both');

      const { WindowTaskId } = await withSsm(opts, async (ssm) => {
        let targets: Target[];
        if (instanceIds.length) targets = [{ Key: 'InstanceIds', Values: instanceIds }];
        else {
          let ids = opts.windowTarget;
          if (ids.length === 0) {
            for await (const page of paginateDescribeMaintenanceWindowTargets({ client: ssm }, { WindowId: windowId })) {
              ids = [...ids, ...(page.Targets ?? []).map((t) => t.WindowTargetId!)];
            }
            if (ids.length === 0) throw new CliError('ValidationException', `${windowId} has no targets yet: add one with tend windows add-target, or give --instance-ids`);
          }
          targets = [{ Key: 'WindowTargetIds', Values: ids }];
        }
        return ssm.send(
          new RegisterTaskWithMaintenanceWindowCommand({
            WindowId: windowId,
            TaskType: 'RUN_COMMAND',
            TaskArn: opts.document,
            Targets: targets,
            Priority: priority,
            MaxConcurrency: opts.maxConcurrency,
            MaxErrors: opts.maxErrors,
            CutoffBehavior: opts.cutoffBehavior === 'cancel' ? 'CANCEL_TASK' : 'CONTINUE_TASK',
            Name: opts.name,
            Description: opts.description,
            TaskInvocationParameters: {
              RunCommand: {
                Parameters: Object.keys(parameters).length ? parameters : undefined,
                DocumentVersion: opts.documentVersion,
                Comment: opts.comment,
                TimeoutSeconds: opts.timeoutSeconds === undefined ? undefined : positiveInteger('--timeout-seconds', opts.timeoutSeconds),
              },
            },
          }),
        );
      });
      printResult(opts, { WindowTaskId }, () => table([{ header: 'window task id' }], [[WindowTaskId ?? '']], ''));
    });
}
