import type { Command } from 'commander';
import { paginateDescribeMaintenanceWindowExecutions, type MaintenanceWindowExecution } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { formatDate, printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';
import { positiveInteger } from './option-parsers.js';

interface ExecutionsOptions extends ClientCommandOptions {
  status?: string;
  last: string;
}

/** `tend windows executions ID`: DescribeMaintenanceWindowExecutions, newest first. */
export function registerWindowsExecutions(windows: Command): void {
  clientCommand(windows, 'executions', "list a window's runs, newest first: id, status, start, end")
    .argument('<window-id>', 'mw-… id')
    .option('--status <status>', 'only runs in this status (SUCCESS, FAILED, TIMED_OUT, IN_PROGRESS, SKIPPED_OVERLAPPING, CANCELLED, …)')
    .option('--last <n>', 'at most this many runs', '20')
    .action(async (windowId: string, opts: ExecutionsOptions) => {
      const limit = positiveInteger('--last', opts.last);
      const found = await withSsm(opts, async (ssm) => {
        const all: MaintenanceWindowExecution[] = [];
        const filters = opts.status ? [{ Key: 'ExecutionStatus', Values: [opts.status] }] : undefined;
        for await (const page of paginateDescribeMaintenanceWindowExecutions({ client: ssm, pageSize: 100 }, { WindowId: windowId, Filters: filters })) {
          all.push(...(page.WindowExecutions ?? []));
          if (all.length >= limit) break;
        }
        return all.slice(0, limit);
      });
      printResult(opts, { WindowExecutions: found }, () =>
        table(
          [{ header: 'execution id' }, { header: 'status' }, { header: 'started' }, { header: 'ended' }, { header: 'details' }],
          found.map((e) => [e.WindowExecutionId ?? '', e.Status ?? '', formatDate(e.StartTime), formatDate(e.EndTime), e.StatusDetails ?? '']),
          opts.status ? `No runs of ${windowId} in status ${opts.status}.` : `${windowId} has not run yet.`,
        ),
      );
    });
}
