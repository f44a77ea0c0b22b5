import type { Command } from 'commander';
import type { CommandInvocation, CommandPlugin } from '@aws-sdk/client-ssm';
import { withSsm, withTend } from '../api/ssm-client.js';
import { CliError } from '../errors.js';
import { commandFields, invocationsTable } from '../output/commands.js';
import { fieldTable, formatDate, printResult } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';
import { getCommand, listInvocations, readWholeOutput } from './commands-api.js';

interface ShowOptions extends ClientCommandOptions {
  instance?: string;
}

/** The whole output of one step of one invocation. */
interface StepOutput {
  PluginName: string;
  Stdout: string;
  Stderr: string;
}

/**
 * `tend commands show ID`: the command and one row per node; with
 * --instance, one node's invocation and the whole output of each of its
 * steps, read with Tend.GetCommandOutput (the Systems Manager operations cut
 * it at 2,500 / 24,000 characters).
 */
export function registerCommandsShow(commands: Command): void {
  clientCommand(commands, 'show', "show a command and its nodes' results, or one node's full output")
    .argument('<command-id>', 'the command id')
    .option('--instance <id>', "show this node's invocation with its full output, as it was written")
    .action(async (commandId: string, opts: ShowOptions) => {
      if (opts.instance) return showInvocation(commandId, opts.instance, opts);
      const shown = await withSsm(opts, async (ssm) => ({
        Command: await getCommand(ssm, commandId),
        CommandInvocations: await listInvocations(ssm, commandId, true),
      }));
      printResult(opts, shown, () => `${commandFields(shown.Command)}\n${invocationsTable(shown.CommandInvocations)}`);
    });
}

async function showInvocation(commandId: string, instanceId: string, opts: ShowOptions): Promise<void> {
  const invocation = await withSsm(opts, async (ssm) => (await listInvocations(ssm, commandId, true, instanceId))[0]);
  if (!invocation) throw new CliError('InvocationDoesNotExist', `command ${commandId} has no invocation on ${instanceId}`);
  const output = await withTend(opts, async (api) => {
    const steps: StepOutput[] = [];
    for (const plugin of invocation.CommandPlugins ?? []) {
      const request = { CommandId: commandId, InstanceId: instanceId, PluginName: plugin.Name };
      steps.push({
        PluginName: plugin.Name ?? '',
        Stdout: await readWholeOutput(api, { ...request, Stream: 'Stdout' }),
        Stderr: await readWholeOutput(api, { ...request, Stream: 'Stderr' }),
      });
    }
    return steps;
  });
  printResult(opts, { CommandInvocation: invocation, Output: output }, () => invocationText(invocation, output));
}

/** The invocation's fields, then each step's result and its output exactly as written (this is the place to read it whole). */
function invocationText(invocation: CommandInvocation, output: StepOutput[]): string {
  const fields = fieldTable([
    ['CommandId', invocation.CommandId],
    ['InstanceId', invocation.InstanceId],
    ['Name', invocation.InstanceName],
    ['Document', invocation.DocumentName && `${invocation.DocumentName}${invocation.DocumentVersion ? ` (version ${invocation.DocumentVersion})` : ''}`],
    ['Status', invocation.Status],
    ['StatusDetails', invocation.StatusDetails],
    ['Comment', invocation.Comment],
    ['Requested', formatDate(invocation.RequestedDateTime)],
  ]);
  const steps = (invocation.CommandPlugins ?? []).map((plugin, i) => {
    const { Stdout, Stderr } = output[i] ?? { Stdout: '', Stderr: '' };
    const streams = [Stdout && `--- stdout ---\n${withNewline(Stdout)}`, Stderr && `--- stderr ---\n${withNewline(Stderr)}`].filter(Boolean);
    return `\n${stepHeading(plugin)}\n${streams.length ? streams.join('') : '(no output)\n'}`;
  });
  return fields + steps.join('');
}

/** `Step runShellScript: Failed, response code 1, 2025-11-24T11:42:01Z to 2025-11-24T11:42:03Z`. */
function stepHeading(plugin: CommandPlugin): string {
  const parts = [plugin.Status ?? ''];
  if (plugin.ResponseCode !== undefined && plugin.ResponseCode >= 0) parts.push(`response code ${plugin.ResponseCode}`);
  if (plugin.ResponseStartDateTime) parts.push(`${formatDate(plugin.ResponseStartDateTime)} to ${formatDate(plugin.ResponseFinishDateTime) || '…'}`);
  return `Step ${plugin.Name}: ${parts.join(', ')}`;
}

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
