import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { ServiceError } from '../../../rpc/errors.js';
import { instanceIdSchema } from '../../targets/resolve-targets.js';
import { RESULT_OUTPUT_CHARS } from '@tend/protocol';
import { commandIdSchema, storedPlugins } from './common.js';

const input = z.object({
  CommandId: commandIdSchema,
  InstanceId: instanceIdSchema,
  PluginName: z.string().min(4).optional(),
});

function isoOrEmpty(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toISOString();
}

/** ISO 8601 duration, as Systems Manager writes ExecutionElapsedTime (e.g. PT0.057S). */
function elapsed(start: number | null, end: number | null): string {
  if (start === null || end === null) return '';
  return `PT${(Math.max(0, end - start) / 1000).toFixed(3)}S`;
}

/**
 * GetCommandInvocation: one node's result of one step, with up to 24,000
 * characters of each stream (the whole output is Tend.GetCommandOutput's).
 * A document of one step needs no PluginName; with several, it is required.
 */
export const getCommandInvocation = defineOperation({
  service: 'AmazonSSM',
  name: 'GetCommandInvocation',
  action: 'ssm:GetCommandInvocation',
  input,
  mutating: false,
  resources: () => [],
  async run(i, ctx) {
    const store = ctx.services.commands.store;
    const command = await store.find(i.CommandId);
    const row = command && (await store.invocation(i.CommandId, i.InstanceId));
    if (!command || !row) throw new ServiceError('InvocationDoesNotExist', `Command ${i.CommandId} has no invocation on ${i.InstanceId}.`);
    const stepNames = JSON.parse(command.step_names) as string[];
    let pluginName = i.PluginName;
    if (pluginName === undefined) {
      if (stepNames.length !== 1) throw new ServiceError('InvalidPluginName', `Document ${command.document_name} has ${stepNames.length} steps: give PluginName (one of ${stepNames.join(', ')}).`);
      pluginName = stepNames[0]!;
    } else if (!stepNames.includes(pluginName)) {
      throw new ServiceError('InvalidPluginName', `Document ${command.document_name} has no step ${pluginName}; its steps are ${stepNames.join(', ')}.`);
    }
    const plugin = storedPlugins(row).find((p) => p.name === pluginName);
    // A step that reported has its own status; one that has not (running, never started, skipped) shares the invocation's.
    const status = plugin ? plugin.status : row.status;
    const statusDetails = plugin ? (plugin.status === 'TimedOut' ? 'Execution Timed Out' : plugin.status) : row.status_details;
    const start = plugin?.startedAt ?? row.execution_start;
    const end = plugin?.endedAt ?? row.execution_end;
    return {
      CommandId: command.command_id,
      InstanceId: row.instance_id,
      Comment: command.comment,
      DocumentName: command.document_name,
      DocumentVersion: command.document_version,
      PluginName: pluginName,
      ResponseCode: plugin?.responseCode ?? row.response_code,
      ExecutionStartDateTime: isoOrEmpty(start),
      ExecutionElapsedTime: elapsed(start, end),
      ExecutionEndDateTime: isoOrEmpty(end),
      Status: status,
      StatusDetails: statusDetails,
      StandardOutputContent: (plugin?.stdout ?? '').slice(0, RESULT_OUTPUT_CHARS),
      StandardOutputUrl: '',
      StandardErrorContent: (plugin?.stderr ?? (row.message && !plugin ? row.message : '')).slice(0, RESULT_OUTPUT_CHARS),
      StandardErrorUrl: '',
      CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
    };
  },
});
