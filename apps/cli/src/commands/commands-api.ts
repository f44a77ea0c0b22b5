import { ListCommandsCommand, paginateListCommandInvocations, type Command, type CommandInvocation, type SSMClient } from '@aws-sdk/client-ssm';
import type { TendClient } from '../api/tend-client.js';
import { CliError } from '../errors.js';
import type { OutputStreamName } from '../output/commands.js';

/** The largest page ListCommands and ListCommandInvocations answer. */
export const COMMANDS_PAGE_SIZE = 50;

/** One command by id (ListCommands answers InvalidCommandId for an unknown one). */
export async function getCommand(ssm: SSMClient, commandId: string): Promise<Command> {
  const out = await ssm.send(new ListCommandsCommand({ CommandId: commandId }));
  const command = out.Commands?.[0];
  if (!command) throw new CliError('InvalidCommandId', `no command ${commandId}`);
  return command;
}

/**
 * Every invocation of a command (all pages), in the order its nodes were
 * targeted; with `details`, each step's status, response code and the head
 * of its output.
 */
export async function listInvocations(ssm: SSMClient, commandId: string, details: boolean, instanceId?: string): Promise<CommandInvocation[]> {
  const all: CommandInvocation[] = [];
  const input = { CommandId: commandId, InstanceId: instanceId, Details: details, MaxResults: COMMANDS_PAGE_SIZE };
  for await (const page of paginateListCommandInvocations({ client: ssm, pageSize: COMMANDS_PAGE_SIZE }, input)) all.push(...(page.CommandInvocations ?? []));
  return all;
}

/** Tend.GetCommandOutput's answer: the UTF-8 text of bytes [Offset, NextOffset) of one stream of one step. */
export interface CommandOutputSlice {
  CommandId: string;
  InstanceId: string;
  PluginName: string;
  Stream: OutputStreamName;
  Content: string;
  Offset: number;
  NextOffset: number;
  TotalBytes: number;
  /** The invocation has ended and everything it wrote has been read. */
  Complete: boolean;
}

export interface OutputSliceRequest {
  CommandId: string;
  InstanceId: string;
  PluginName?: string;
  Stream: OutputStreamName;
  Offset: number;
}

/** One read of Tend.GetCommandOutput (up to 1 MiB, the server's largest). */
export function readOutput(api: TendClient, request: OutputSliceRequest): Promise<CommandOutputSlice> {
  return api.tend<CommandOutputSlice>('GetCommandOutput', request);
}

/** The whole of one stream as stored now, read slice by slice: the output GetCommandInvocation cuts at 24,000 characters. */
export async function readWholeOutput(api: TendClient, request: Omit<OutputSliceRequest, 'Offset'>): Promise<string> {
  let text = '';
  let offset = 0;
  for (;;) {
    const slice = await readOutput(api, { ...request, Offset: offset });
    text += slice.Content;
    if (slice.NextOffset <= offset || slice.NextOffset >= slice.TotalBytes) return text;
    offset = slice.NextOffset;
  }
}
