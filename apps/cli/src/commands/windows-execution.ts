import type { Command } from 'commander';
import {
  GetMaintenanceWindowExecutionCommand,
  GetMaintenanceWindowExecutionTaskCommand,
  paginateDescribeMaintenanceWindowExecutionTaskInvocations,
  type MaintenanceWindowExecutionTaskInvocationIdentity,
} from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { fieldTable, formatDate, printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';

/**
 * `tend windows execution ID`: one run of a window, each task it ran and,
 * per task, its invocations (whose output `tend commands show` prints: an
 * invocation's execution id is its command's id).
 */
export function registerWindowsExecution(windows: Command): void {
  clientCommand(windows, 'execution', 'show one run of a window: its tasks and, for each, the node invocations')
    .argument('<execution-id>', 'window execution id, from tend windows executions')
    .action(async (executionId: string, opts: ClientCommandOptions) => {
      const result = await withSsm(opts, async (ssm) => {
        const { $metadata: _m, ...execution } = await ssm.send(new GetMaintenanceWindowExecutionCommand({ WindowExecutionId: executionId }));
        const tasks = [];
        for (const taskExecutionId of execution.TaskIds ?? []) {
          const { $metadata: _t, ...task } = await ssm.send(new GetMaintenanceWindowExecutionTaskCommand({ WindowExecutionId: executionId, TaskId: taskExecutionId }));
          const invocations: MaintenanceWindowExecutionTaskInvocationIdentity[] = [];
          for await (const page of paginateDescribeMaintenanceWindowExecutionTaskInvocations({ client: ssm }, { WindowExecutionId: executionId, TaskId: taskExecutionId })) {
            invocations.push(...(page.WindowExecutionTaskInvocationIdentities ?? []));
          }
          tasks.push({ ...task, Invocations: invocations });
        }
        return { ...execution, Tasks: tasks };
      });
      printResult(opts, result, () => {
        const summary = fieldTable([
          ['Execution', result.WindowExecutionId],
          ['Status', result.Status],
          ['Details', result.StatusDetails],
          ['Started', formatDate(result.StartTime)],
          ['Ended', formatDate(result.EndTime)],
        ]);
        const tasks = result.Tasks.map((task) => {
          const head = `Task ${task.TaskExecutionId} (${task.TaskArn}, priority ${task.Priority}): ${task.Status}${task.StatusDetails ? ` — ${task.StatusDetails}` : ''}`;
          const rows = table(
            [{ header: 'invocation' }, { header: 'window target' }, { header: 'status' }, { header: 'command id' }, { header: 'started' }, { header: 'ended' }, { header: 'owner' }],
            task.Invocations.map((i) => [i.InvocationId ?? '', i.WindowTargetId ?? '', i.Status ?? '', i.ExecutionId ?? '', formatDate(i.StartTime), formatDate(i.EndTime), i.OwnerInformation ?? '']),
            'No node invocations.',
          );
          return `${head}\n${rows}`;
        });
        return `${summary}\n${tasks.join('\n') || 'No tasks ran.\n'}`;
      });
    });
}
