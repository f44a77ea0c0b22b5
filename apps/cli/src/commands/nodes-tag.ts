import type { Command } from 'commander';
import { AddTagsToResourceCommand, ListTagsForResourceCommand, RemoveTagsFromResourceCommand } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { CliError } from '../errors.js';
import { printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';
import { MANAGED_INSTANCE } from './nodes-api.js';
import { parseTag, repeatable } from './option-parsers.js';

interface TagOptions extends ClientCommandOptions {
  remove: string[];
}

/**
 * `tend nodes tag ID k=v… [--remove KEY]…`: AddTagsToResource and
 * RemoveTagsFromResource on a managed node, then prints the tags it has now,
 * so the result is visible without a second command.
 */
export function registerNodesTag(nodes: Command): void {
  clientCommand(nodes, 'tag', "add or change a managed node's tags, or remove them with --remove")
    .argument('<id>', 'managed node id, mi-…')
    .argument('[tags...]', 'key=value tags to add or change')
    .option('--remove <key>', 'remove the tag with this key (repeatable)', repeatable, [])
    .addHelpText('after', '\nExamples:\n  tend nodes tag mi-0123456789abcdef0 Env=prod Team=web\n  tend nodes tag mi-0123456789abcdef0 --remove Team')
    .action(async (id: string, tagArgs: string[], opts: TagOptions) => {
      const add = tagArgs.map((text) => parseTag(text, 'a tag'));
      const remove = opts.remove;
      if (!add.length && !remove.length) throw new CliError('ValidationException', 'nothing to change: give key=value tags and/or --remove KEY');
      // Adding and removing one key in one command has no clear meaning; refuse rather than pick an order.
      const both = add.find((t) => remove.includes(t.Key!));
      if (both) throw new CliError('ValidationException', `tag ${both.Key} is both set and removed`);
      const target = { ResourceType: MANAGED_INSTANCE, ResourceId: id } as const;
      const tags = await withSsm(opts, async (ssm) => {
        if (add.length) await ssm.send(new AddTagsToResourceCommand({ ...target, Tags: add }));
        if (remove.length) await ssm.send(new RemoveTagsFromResourceCommand({ ...target, TagKeys: remove }));
        return (await ssm.send(new ListTagsForResourceCommand(target))).TagList ?? [];
      });
      printResult(opts, { TagList: tags }, () =>
        table([{ header: 'key' }, { header: 'value' }], tags.map((t) => [t.Key ?? '', t.Value ?? '']), `${id} has no tags now.`),
      );
    });
}
