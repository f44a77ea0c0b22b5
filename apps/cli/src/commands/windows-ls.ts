import type { Command } from 'commander';
import { paginateDescribeMaintenanceWindows, type MaintenanceWindowFilter, type MaintenanceWindowIdentity } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';
import { formatSchedule } from './windows.js';

interface LsOptions extends ClientCommandOptions {
  name?: string;
  enabled?: boolean;
  disabled?: boolean;
}

/** `tend windows ls`: DescribeMaintenanceWindows, every page. */
export function registerWindowsLs(windows: Command): void {
  clientCommand(windows, 'ls', 'list maintenance windows: id, name, schedule, duration, cutoff, next run')
    .option('--name <name>', 'only windows with this name')
    .option('--enabled', 'only enabled windows')
    .option('--disabled', 'only disabled windows')
    .action(async (opts: LsOptions) => {
      const filters: MaintenanceWindowFilter[] = [];
      if (opts.name) filters.push({ Key: 'Name', Values: [opts.name] });
      if (opts.enabled || opts.disabled) filters.push({ Key: 'Enabled', Values: [opts.enabled ? 'true' : 'false'] });
      const found = await withSsm(opts, async (ssm) => {
        const all: MaintenanceWindowIdentity[] = [];
        for await (const page of paginateDescribeMaintenanceWindows({ client: ssm, pageSize: 50 }, { Filters: filters.length ? filters : undefined })) {
          all.push(...(page.WindowIdentities ?? []));
        }
        return all;
      });
      printResult(opts, { WindowIdentities: found }, () =>
        table(
          [{ header: 'id' }, { header: 'name' }, { header: 'enabled' }, { header: 'schedule' }, { header: 'duration', align: 'right' }, { header: 'cutoff', align: 'right' }, { header: 'next run' }],
          found.map((w) => [
            w.WindowId ?? '',
            w.Name ?? '',
            w.Enabled ? 'yes' : 'no',
            formatSchedule(w.Schedule, w.ScheduleTimezone),
            `${w.Duration ?? ''} h`,
            `${w.Cutoff ?? ''} h`,
            w.NextExecutionTime ?? '',
          ]),
          filters.length ? 'No maintenance windows match.' : 'No maintenance windows.',
        ),
      );
    });
}
