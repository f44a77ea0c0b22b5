import type { Command } from 'commander';
import { CreateMaintenanceWindowCommand, UpdateMaintenanceWindowCommand } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';
import { parseTag, positiveInteger, repeatable } from './option-parsers.js';
import { CliError } from '../errors.js';

interface CreateOptions extends ClientCommandOptions {
  schedule: string;
  timezone?: string;
  duration: string;
  cutoff: string;
  offset?: string;
  startDate?: string;
  endDate?: string;
  description?: string;
  allowUnassociatedTargets?: boolean;
  disabled?: boolean;
  tag: string[];
}

/** `tend windows create NAME --schedule EXPR`: CreateMaintenanceWindow. */
export function registerWindowsCreate(windows: Command): void {
  clientCommand(windows, 'create', 'create a maintenance window')
    .argument('<name>', 'window name (3-128 letters, digits, _ - .)')
    .requiredOption('--schedule <expression>', 'cron(0 2 ? * SUN *), rate(1 day) or at(2026-12-24T22:00:00)')
    .option('--timezone <iana>', 'time zone of the schedule, e.g. Europe/Paris (default UTC)')
    .option('--duration <hours>', 'hours the window stays open, 1-24', '2')
    .option('--cutoff <hours>', 'hours before the end when no new task starts, 0-23', '1')
    .option('--offset <days>', 'run this many days (1-6) after each date the cron expression names')
    .option('--start-date <iso>', 'no run before this time (ISO 8601)')
    .option('--end-date <iso>', 'no run after this time (ISO 8601)')
    .option('--description <text>', 'what the window is for')
    .option('--allow-unassociated-targets', 'let tasks target nodes that are not registered targets of the window')
    .option('--disabled', 'create the window disabled (it does not run until enabled)')
    .option('--tag <key=value>', 'tag the window (repeatable)', repeatable, [])
    .action(async (name: string, opts: CreateOptions) => {
      const cutoff = Number(opts.cutoff);
      if (!Number.isInteger(cutoff) || cutoff < 0) throw new CliError('ValidationException', `--cutoff takes a whole number of hours; got "${opts.cutoff}"`);
      const { WindowId } = await withSsm(opts, (ssm) =>
        ssm.send(
          new CreateMaintenanceWindowCommand({
            Name: name,
            Schedule: opts.schedule,
            ScheduleTimezone: opts.timezone,
            ScheduleOffset: opts.offset === undefined ? undefined : positiveInteger('--offset', opts.offset),
            Duration: positiveInteger('--duration', opts.duration),
            Cutoff: cutoff,
            StartDate: opts.startDate,
            EndDate: opts.endDate,
            Description: opts.description,
            AllowUnassociatedTargets: opts.allowUnassociatedTargets ?? false,
            Tags: opts.tag.length ? opts.tag.map((t) => parseTag(t)) : undefined,
          }),
        ),
      );
      // CreateMaintenanceWindow has no Enabled member: a window to keep quiet is disabled right after.
      if (opts.disabled) {
        await withSsm(opts, (ssm) => ssm.send(new UpdateMaintenanceWindowCommand({ WindowId, Enabled: false })));
      }
      printResult(opts, { WindowId }, () => table([{ header: 'window id' }], [[WindowId ?? '']], ''));
    });
}
