import type { Command } from 'commander';
import { registerDocsLs } from './docs-ls.js';
import { registerDocsShow } from './docs-show.js';
import { registerDocsCreate } from './docs-create.js';
import { registerDocsUpdate } from './docs-update.js';
import { registerDocsRm } from './docs-rm.js';

/** `tend docs …`: Systems Manager documents (the built-ins and the account's own). */
export function registerDocsCommands(program: Command): void {
  const docs = program.command('docs').description('documents: list, show, create, update, delete');
  registerDocsLs(docs);
  registerDocsShow(docs);
  registerDocsCreate(docs);
  registerDocsUpdate(docs);
  registerDocsRm(docs);
}
