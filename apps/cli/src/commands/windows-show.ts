import type { Command } from 'commander';
import {
  GetMaintenanceWindowCommand,
  paginateDescribeMaintenanceWindowTargets,
  paginateDescribeMaintenanceWindowTasks,
  type MaintenanceWindowTarget,
  type MaintenanceWindowTask,
  type Target,
} from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { fieldTable, formatDate, printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';
import { formatSchedule } from './windows.js';

/** `tend windows show ID`: GetMaintenanceWindow, then its targets and its tasks. */
export function registerWindowsShow(windows: Command): void {
  clientCommand(windows, 'show', 'show a maintenance window with its targets and tasks')
    .argument('<window-id>', 'mw-… id')
    .action(async (id: string, opts: ClientCommandOptions) => {
      const { window, targets, tasks } = await withSsm(opts, async (ssm) => {
        const { $metadata: _m, ...window } = await ssm.send(new GetMaintenanceWindowCommand({ WindowId: id }));
        const targets: MaintenanceWindowTarget[] = [];
        for await (const page of paginateDescribeMaintenanceWindowTargets({ client: ssm }, { WindowId: id })) targets.push(...(page.Targets ?? []));
        const tasks: MaintenanceWindowTask[] = [];
        for await (const page of paginateDescribeMaintenanceWindowTasks({ client: ssm }, { WindowId: id })) tasks.push(...(page.Tasks ?? []));
        return { window, targets, tasks };
      });
      printResult(opts, { Window: window, Targets: targets, Tasks: tasks }, () => {
        const w = window;
        const summary = fieldTable([
          ['Id', w.WindowId],
          ['Name', w.Name],
          ['Enabled', w.Enabled ? 'yes' : 'no'],
          ['Schedule', formatSchedule(w.Schedule, w.ScheduleTimezone)],
          ['Offset', w.ScheduleOffset ? `${w.ScheduleOffset} days` : undefined],
          ['Duration', `${w.Duration} h, no new task in the last ${w.Cutoff} h`],
          ['Next run', w.NextExecutionTime],
          ['Start date', w.StartDate],
          ['End date', w.EndDate],
          ['Unassociated', w.AllowUnassociatedTargets ? 'tasks may target nodes that are not targets of the window' : undefined],
          ['Created', formatDate(w.CreatedDate)],
          ['Modified', formatDate(w.ModifiedDate)],
          ['Description', w.Description],
        ]);
        const targetRows = table(
          [{ header: 'target id' }, { header: 'name' }, { header: 'type' }, { header: 'targets' }, { header: 'owner' }],
          targets.map((t) => [t.WindowTargetId ?? '', t.Name ?? '', t.ResourceType ?? '', formatTargets(t.Targets), t.OwnerInformation ?? '']),
          'No targets.',
        );
        const taskRows = table(
          [{ header: 'priority', align: 'right' }, { header: 'task id' }, { header: 'name' }, { header: 'type' }, { header: 'document' }, { header: 'targets' }, { header: 'concurrency' }, { header: 'errors' }, { header: 'at cutoff' }],
          [...tasks]
            .sort((a, b) => (a.Priority ?? 0) - (b.Priority ?? 0))
            .map((t) => [
              String(t.Priority ?? ''),
              t.WindowTaskId ?? '',
              t.Name ?? '',
              t.Type ?? '',
              t.TaskArn ?? '',
              formatTargets(t.Targets),
              t.MaxConcurrency ?? '',
              t.MaxErrors ?? '',
              t.CutoffBehavior === 'CANCEL_TASK' ? 'cancel' : 'continue',
            ]),
          'No tasks.',
        );
        return `${summary}\nTargets\n${targetRows}\nTasks\n${taskRows}`;
      });
    });
}

/** `tag:Env=prod; InstanceIds=mi-1,mi-2`: targets in one cell. */
export function formatTargets(targets: Target[] | undefined): string {
  return (targets ?? []).map((t) => `${t.Key ?? ''}=${(t.Values ?? []).join(',')}`).join('; ');
}
