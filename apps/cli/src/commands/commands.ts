import type { Command } from 'commander';
import { registerCommandsLs } from './commands-ls.js';
import { registerCommandsShow } from './commands-show.js';
import { registerCommandsCancel } from './commands-cancel.js';

/** `tend commands …`: Run Command's commands, as sent by `tend run`, the API or a maintenance window. */
export function registerCommandsCommands(program: Command): void {
  const commands = program.command('commands').description('Run Command commands: list, show (with full output), cancel');
  registerCommandsLs(commands);
  registerCommandsShow(commands);
  registerCommandsCancel(commands);
}
