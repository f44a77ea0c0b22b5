import type { Command } from 'commander';
import {
  DescribeInstancePatchStatesCommand,
  paginateDescribeInstanceInformation,
  type InstanceInformation,
  type InstancePatchState,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { formatDate, printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';

interface StatusOptions extends ClientCommandOptions {
  group?: string;
  nonCompliant?: boolean;
}

/** One node of the fleet table: the node and its last patch report, if it has one. */
export interface NodePatchStatus {
  InstanceId: string;
  Name?: string;
  PingStatus?: string;
  PatchState?: InstancePatchState;
}

// DescribeInstancePatchStates takes at most 50 ids per call.
const IDS_PER_CALL = 50;

/**
 * `tend patch status`: the fleet at a glance — every managed node with its
 * patch group, baseline, missing and security patches, pending reboot and
 * last operation (DescribeInstanceInformation + DescribeInstancePatchStates).
 * Nodes that never reported a scan are listed as such: they are the ones
 * nobody knows about.
 */
export function registerPatchStatus(patch: Command): void {
  clientCommand(patch, 'status', 'fleet patch status: node, group, baseline, missing / security / pending reboot, last operation')
    .option('--group <patch group>', 'only nodes of this patch group')
    .option('--non-compliant', 'only nodes with missing, failed, rejected or pending-reboot patches, and nodes never scanned')
    .addHelpText('after', '\nExamples:\n  tend patch status\n  tend patch status --group web --non-compliant\n  tend patch status --json')
    .action(async (opts: StatusOptions) => {
      const nodes = await withSsm(opts, (ssm) => fleetPatchStatus(ssm));
      const shown = nodes.filter((n) => (!opts.group || n.PatchState?.PatchGroup === opts.group) && (!opts.nonCompliant || !isCompliant(n.PatchState)));
      printResult(opts, { Nodes: shown }, () =>
        table(
          [
            { header: 'node' },
            { header: 'name' },
            { header: 'group' },
            { header: 'baseline' },
            { header: 'missing', align: 'right' },
            { header: 'security', align: 'right' },
            { header: 'pending reboot', align: 'right' },
            { header: 'last operation' },
          ],
          shown.map((n) => {
            const s = n.PatchState;
            if (!s) return [n.InstanceId, n.Name ?? '', '', '', '', '', '', 'never scanned'];
            return [
              n.InstanceId,
              n.Name ?? '',
              s.PatchGroup ?? '',
              shortBaselineId(s.BaselineId),
              String((s.MissingCount ?? 0) + (s.FailedCount ?? 0)),
              String(s.SecurityNonCompliantCount ?? 0),
              String(s.InstalledPendingRebootCount ?? 0),
              `${s.Operation ?? ''} ${formatDate(s.OperationEndTime)}`.trim(),
            ];
          }),
          opts.group || opts.nonCompliant ? 'No nodes match.' : 'No managed nodes yet.',
        ),
      );
    });
}

/** Every managed node (deregistered ones left out) with its patch state. */
export async function fleetPatchStatus(ssm: SSMClient): Promise<NodePatchStatus[]> {
  const nodes: InstanceInformation[] = [];
  for await (const page of paginateDescribeInstanceInformation({ client: ssm, pageSize: 50 }, { MaxResults: 50 })) nodes.push(...(page.InstanceInformationList ?? []));
  const live = nodes.filter((n) => n.InstanceId && n.PingStatus !== 'Inactive');
  const states = new Map<string, InstancePatchState>();
  for (let i = 0; i < live.length; i += IDS_PER_CALL) {
    const ids = live.slice(i, i + IDS_PER_CALL).map((n) => n.InstanceId!);
    let NextToken: string | undefined;
    do {
      const out = await ssm.send(new DescribeInstancePatchStatesCommand({ InstanceIds: ids, MaxResults: 100, NextToken }));
      for (const s of out.InstancePatchStates ?? []) states.set(s.InstanceId!, s);
      NextToken = out.NextToken;
    } while (NextToken);
  }
  return live.map((n) => ({
    InstanceId: n.InstanceId!,
    ...(n.Name || n.ComputerName ? { Name: n.Name || n.ComputerName } : {}),
    ...(n.PingStatus ? { PingStatus: n.PingStatus } : {}),
    ...(states.has(n.InstanceId!) ? { PatchState: states.get(n.InstanceId!)! } : {}),
  }));
}

function isCompliant(s: InstancePatchState | undefined): boolean {
  if (!s) return false;
  return (s.MissingCount ?? 0) + (s.FailedCount ?? 0) + (s.InstalledRejectedCount ?? 0) + (s.InstalledPendingRebootCount ?? 0) === 0;
}

/** `pb-…` from a predefined baseline's ARN: the table's column stays narrow. */
function shortBaselineId(id: string | undefined): string {
  return id ? id.slice(id.lastIndexOf('/') + 1) : '';
}
