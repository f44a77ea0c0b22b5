import type { Command } from 'commander';
import { registerActivationsCreate } from './activations-create.js';
import { registerActivationsLs } from './activations-ls.js';
import { registerActivationsRm } from './activations-rm.js';

/** `tend activations …`: hybrid activations, the credentials with which machines register as managed nodes. */
export function registerActivationsCommands(program: Command): void {
  const activations = program.command('activations').description('activations for registering machines as managed nodes: create, list, delete');
  registerActivationsCreate(activations);
  registerActivationsLs(activations);
  registerActivationsRm(activations);
}
