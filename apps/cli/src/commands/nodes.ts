import type { Command } from 'commander';
import { registerNodesLs } from './nodes-ls.js';
import { registerNodesShow } from './nodes-show.js';
import { registerNodesTag } from './nodes-tag.js';

/** `tend nodes …`: managed nodes through the Systems Manager API. */
export function registerNodesCommands(program: Command): void {
  const nodes = program.command('nodes').description('managed nodes: list, show, tag');
  registerNodesLs(nodes);
  registerNodesShow(nodes);
  registerNodesTag(nodes);
}
