import type { Command } from 'commander';
import { registerWindowsLs } from './windows-ls.js';
import { registerWindowsShow } from './windows-show.js';
import { registerWindowsCreate } from './windows-create.js';
import { registerWindowsRm } from './windows-rm.js';
import { registerWindowsAddTarget } from './windows-add-target.js';
import { registerWindowsAddTask } from './windows-add-task.js';
import { registerWindowsExecutions } from './windows-executions.js';
import { registerWindowsExecution } from './windows-execution.js';

/** `tend windows …`: maintenance windows, their targets and tasks, and what each run did. */
export function registerWindowsCommands(program: Command): void {
  const windows = program
    .command('windows')
    .description('maintenance windows: list, show, create, delete, add targets and tasks, see their executions');
  registerWindowsLs(windows);
  registerWindowsShow(windows);
  registerWindowsCreate(windows);
  registerWindowsRm(windows);
  registerWindowsAddTarget(windows);
  registerWindowsAddTask(windows);
  registerWindowsExecutions(windows);
  registerWindowsExecution(windows);
}

/** `cron(0 2 ? * SUN *) Europe/Paris`: a window's schedule with its time zone when it has one. */
export function formatSchedule(schedule: string | undefined, timeZone: string | undefined): string {
  return [schedule ?? '', timeZone ?? ''].filter(Boolean).join(' ');
}
