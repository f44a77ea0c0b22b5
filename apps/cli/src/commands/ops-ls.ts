import type { Command } from 'commander';
import { paginateDescribeOpsItems, type OpsItemFilter, type OpsItemSummary } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { formatDate, printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';

interface LsOptions extends ClientCommandOptions {
  status?: string;
}

/** `tend ops ls`: DescribeOpsItems, every page, newest first. */
export function registerOpsLs(ops: Command): void {
  clientCommand(ops, 'ls', 'list OpsItems, newest first: id, status, priority, severity, source, title, created')
    .option('--status <status>', 'only OpsItems with this status (Open, InProgress, Resolved, …)')
    .action(async (opts: LsOptions) => {
      const filters: OpsItemFilter[] = opts.status ? [{ Key: 'Status', Operator: 'Equal', Values: [opts.status] }] : [];
      const found = await withSsm(opts, async (ssm) => {
        const all: OpsItemSummary[] = [];
        for await (const page of paginateDescribeOpsItems({ client: ssm, pageSize: 50 }, { OpsItemFilters: filters.length ? filters : undefined })) {
          all.push(...(page.OpsItemSummaries ?? []));
        }
        return all;
      });
      printResult(opts, { OpsItemSummaries: found }, () =>
        table(
          [{ header: 'id' }, { header: 'status' }, { header: 'priority', align: 'right' }, { header: 'severity', align: 'right' }, { header: 'source' }, { header: 'title' }, { header: 'created' }],
          found.map((o) => [
            o.OpsItemId ?? '',
            o.Status ?? '',
            o.Priority === undefined ? '' : String(o.Priority),
            o.Severity ?? '',
            o.Source ?? '',
            o.Title ?? '',
            formatDate(o.CreatedTime),
          ]),
          opts.status ? `No ${opts.status} OpsItems.` : 'No OpsItems.',
        ),
      );
    });
}
