import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { ServiceError } from '../../../rpc/errors.js';
import { instanceIdSchema } from '../../targets/resolve-targets.js';
import { MAX_OUTPUT_READ_BYTES, sliceText } from '../command-output-store.js';
import { isTerminalDetail, type InvocationStatusDetails } from '../command-status.js';
import { commandIdSchema, storedPlugins } from './common.js';

const input = z.object({
  CommandId: commandIdSchema,
  InstanceId: instanceIdSchema,
  PluginName: z.string().min(1).max(128).optional(),
  Stream: z.enum(['Stdout', 'Stderr']).optional(),
  Offset: z.number().int().min(0).optional(),
  MaxBytes: z.number().int().min(1).max(MAX_OUTPUT_READ_BYTES).optional(),
});

/**
 * Tend.GetCommandOutput: the whole output of one step of one invocation,
 * which GetCommandInvocation cuts at 24,000 characters. Read by byte offset,
 * so a client can follow a running command: output is stored as the agent
 * streams it, and Complete says the invocation is over and all was read.
 */
export const getCommandOutput = defineOperation({
  service: 'Tend',
  name: 'GetCommandOutput',
  action: 'ssm:GetCommandInvocation',
  input,
  mutating: false,
  resources: () => [],
  async run(i, ctx) {
    const engine = ctx.services.commands;
    const command = await engine.store.find(i.CommandId);
    const row = command && (await engine.store.invocation(i.CommandId, i.InstanceId));
    if (!command || !row) throw new ServiceError('InvocationDoesNotExist', `Command ${i.CommandId} has no invocation on ${i.InstanceId}.`);
    const stepNames = JSON.parse(command.step_names) as string[];
    const pluginName = i.PluginName ?? stepNames[0]!;
    if (!stepNames.includes(pluginName)) {
      throw new ServiceError('InvalidPluginName', `Document ${command.document_name} has no step ${pluginName}; its steps are ${stepNames.join(', ')}.`);
    }
    const stream = i.Stream ?? 'Stdout';
    const which = stream === 'Stdout' ? 'stdout' : 'stderr';
    const offset = i.Offset ?? 0;
    const maxBytes = i.MaxBytes ?? MAX_OUTPUT_READ_BYTES;
    let slice = engine.outputStore.read(i.CommandId, i.InstanceId, pluginName, which, offset, maxBytes);
    if (slice.totalBytes === 0) {
      // No file here: another replica received the output (its copy is in the shared database once
      // the step has ended), or the data dir was replaced (the head kept with the result remains).
      const copy = await engine.store.outputCopy(i.CommandId, i.InstanceId, pluginName, which);
      const text = copy ?? storedPlugins(row).find((p) => p.name === pluginName)?.[which];
      if (text) slice = sliceText(text, offset, maxBytes);
    }
    const finished = isTerminalDetail(row.status_details as InvocationStatusDetails);
    return {
      CommandId: command.command_id,
      InstanceId: row.instance_id,
      PluginName: pluginName,
      Stream: stream,
      Content: slice.content,
      Offset: slice.offset,
      NextOffset: slice.nextOffset,
      TotalBytes: slice.totalBytes,
      Complete: finished && slice.nextOffset >= slice.totalBytes,
    };
  },
});
