import { Option, type Command } from 'commander';
import { paginateDescribeInstanceInformation, type InstanceInformation, type InstanceInformationStringFilter, type SSMClient } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { CliError } from '../errors.js';
import { formatTags, printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';
import { withTags, type NodeWithTags } from './nodes-api.js';
import { repeatable } from './option-parsers.js';

interface LsOptions extends ClientCommandOptions {
  filter: string[];
  pingStatus?: string;
  tags: boolean;
}

const PING_STATUSES = ['Online', 'ConnectionLost', 'Inactive'];

/** The largest page DescribeInstanceInformation answers. */
const PAGE_SIZE = 50;

/**
 * `tend nodes ls`: every managed node (DescribeInstanceInformation, all
 * pages) with its tags. Filters are the API's `Filters`, so anything the
 * API can select on works here.
 */
export function registerNodesLs(nodes: Command): void {
  clientCommand(nodes, 'ls', 'list managed nodes with their status, platform, agent version and tags')
    .option('--filter <key=values>', 'API filter, values comma-separated: tag:Env=prod, tag-key=Env, PlatformTypes=Linux, AgentVersion=0.1.0 (repeatable; all must hold)', repeatable, [])
    .addOption(new Option('--ping-status <status>', 'only nodes with this status').choices(PING_STATUSES))
    .option('--no-tags', 'skip the tags column (it costs one call per node on large fleets)')
    .addHelpText('after', '\nExamples:\n  tend nodes ls --filter tag:Env=prod --ping-status Online\n  tend nodes ls --filter PlatformTypes=Linux --json')
    .action(async (opts: LsOptions) => {
      const filters = opts.filter.map(parseFilter);
      if (opts.pingStatus) filters.push({ Key: 'PingStatus', Values: [opts.pingStatus] });
      const found = await withSsm(opts, async (ssm) => {
        const all = await describeAll(ssm, filters);
        return opts.tags ? withTags(ssm, all) : all;
      });
      printResult(opts, { InstanceInformationList: found }, () =>
        table(
          [{ header: 'id' }, { header: 'name' }, { header: 'ping status' }, { header: 'platform' }, { header: 'agent version' }, ...(opts.tags ? [{ header: 'tags', maxWidth: 60 }] : [])],
          found.map((n: NodeWithTags) => [
            n.InstanceId ?? '',
            n.Name ?? '',
            n.PingStatus ?? '',
            platformOf(n),
            n.AgentVersion ?? '',
            ...(opts.tags ? [formatTags(n.Tags)] : []),
          ]),
          filters.length ? 'No managed nodes match.' : 'No managed nodes yet. Create an activation with `tend activations create` and install the agent.',
        ),
      );
    });
}

/** `Ubuntu 22.04`: the platform's name and version, which is what a reader looks for (the type is nearly always Linux). */
export function platformOf(n: InstanceInformation): string {
  return [n.PlatformName, n.PlatformVersion].filter(Boolean).join(' ') || (n.PlatformType ?? '');
}

/** `KEY=v1,v2` as an API filter; the key keeps its own `:` (tag:Env). */
function parseFilter(text: string): InstanceInformationStringFilter {
  const eq = text.indexOf('=');
  const values = eq > 0 ? text.slice(eq + 1).split(',').filter(Boolean) : [];
  if (eq <= 0 || values.length === 0) throw new CliError('InvalidFilter', `--filter takes KEY=value[,value…], e.g. tag:Env=prod; got "${text}"`);
  return { Key: text.slice(0, eq), Values: values };
}

async function describeAll(ssm: SSMClient, filters: InstanceInformationStringFilter[]): Promise<InstanceInformation[]> {
  const all: InstanceInformation[] = [];
  const input = { Filters: filters.length ? filters : undefined, MaxResults: PAGE_SIZE };
  for await (const page of paginateDescribeInstanceInformation({ client: ssm, pageSize: PAGE_SIZE }, input)) {
    all.push(...(page.InstanceInformationList ?? []));
  }
  return all;
}
