import type { Command } from 'commander';
import { registerOpsLs } from './ops-ls.js';
import { registerOpsShow } from './ops-show.js';
import { registerOpsCreate } from './ops-create.js';
import { registerOpsResolve } from './ops-resolve.js';

/** `tend ops …`: OpsCenter OpsItems, the tickets Tend and people open about the fleet. */
export function registerOpsCommands(program: Command): void {
  const ops = program.command('ops').description('OpsItems (OpsCenter tickets): list, show, create, resolve');
  registerOpsLs(ops);
  registerOpsShow(ops);
  registerOpsCreate(ops);
  registerOpsResolve(ops);
}
