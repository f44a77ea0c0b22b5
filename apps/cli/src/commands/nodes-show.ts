import type { Command } from 'commander';
import { DescribeInstanceInformationCommand, type InstanceInformation, type SSMClient } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { CliError } from '../errors.js';
import { fieldTable, formatDate, printResult } from '../output/print.js';
import { formatTable } from '../output/table.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';
import { listNodeTags } from './nodes-api.js';

/** `tend nodes show ID`: everything DescribeInstanceInformation knows about one node, and its tags. */
export function registerNodesShow(nodes: Command): void {
  clientCommand(nodes, 'show', 'show one managed node: every field and its tags')
    .argument('<id>', 'managed node id, mi-…')
    .action(async (id: string, opts: ClientCommandOptions) => {
      const { node, tags } = await withSsm(opts, async (ssm) => {
        const found = await describeNode(ssm, id);
        return { node: found, tags: await listNodeTags(ssm, found) };
      });
      printResult(opts, { InstanceInformation: node, Tags: tags }, () => {
        const latest = node.IsLatestVersion === undefined ? '' : node.IsLatestVersion ? ' (latest)' : ' (update available)';
        const fields: Array<[string, string | undefined]> = [
          ['InstanceId', node.InstanceId],
          ['Name', node.Name],
          ['PingStatus', node.PingStatus],
          ['LastPing', formatDate(node.LastPingDateTime)],
          ['AgentVersion', node.AgentVersion && `${node.AgentVersion}${latest}`],
          ['PlatformType', node.PlatformType],
          ['PlatformName', node.PlatformName],
          ['PlatformVersion', node.PlatformVersion],
          ['ComputerName', node.ComputerName],
          ['IPAddress', node.IPAddress],
          ['ResourceType', node.ResourceType],
          ['ActivationId', node.ActivationId],
          ['IamRole', node.IamRole],
          ['Registered', formatDate(node.RegistrationDate)],
        ];
        if (!tags?.length) return fieldTable(tags ? [...fields, ['Tags', '(none)']] : fields);
        // Tags get their own aligned block: on one line they would run off the screen.
        const tagRows = formatTable([{ header: 'key' }, { header: 'value' }], tags.map((t) => [t.Key ?? '', t.Value ?? '']), { header: false });
        return `${fieldTable(fields)}Tags:\n${tagRows.replace(/^(?=.)/gm, '  ')}`;
      });
    });
}

async function describeNode(ssm: SSMClient, id: string): Promise<InstanceInformation> {
  const out = await ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [id] }] }));
  const node = out.InstanceInformationList?.[0];
  // The API answers an unknown id with an empty list; a command asked for one node says it is not there.
  if (!node) throw new CliError('InvalidInstanceId', `no managed node ${id}`);
  return node;
}
