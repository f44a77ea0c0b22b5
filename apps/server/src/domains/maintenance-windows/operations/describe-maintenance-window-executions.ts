import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { validationError } from '../../../rpc/errors.js';
import { checkFilterKeys, filterValues, maxResultsSchema, nextTokenSchema, windowFiltersSchema, windowIdSchema } from '../maintenance-window-rules.js';
import { arnOf, executionOutput, pageOf, windowsStore } from './common.js';

const input = z.object({
  WindowId: windowIdSchema,
  Filters: windowFiltersSchema,
  MaxResults: maxResultsSchema,
  NextToken: nextTokenSchema,
});

/** One timestamp filter (StartedBefore, StartedAfter): ISO 8601. */
function timeFilter(values: string[] | undefined, key: string): number | undefined {
  if (!values) return undefined;
  if (values.length !== 1) throw validationError(`The ${key} filter takes one timestamp`);
  const ms = /^\d{4}-\d{2}-\d{2}/.test(values[0]!) ? Date.parse(values[0]!) : NaN;
  if (Number.isNaN(ms)) throw validationError(`${key}: ${values[0]} is not an ISO 8601 timestamp such as 2026-11-24T00:00:00Z`);
  return ms;
}

/** DescribeMaintenanceWindowExecutions: a window's runs, newest first, by ExecutionStatus and start time. */
export const describeMaintenanceWindowExecutions = defineOperation({
  service: 'AmazonSSM',
  name: 'DescribeMaintenanceWindowExecutions',
  action: 'ssm:DescribeMaintenanceWindowExecutions',
  input,
  mutating: false,
  resources: (i, ctx) => [arnOf(ctx, i.WindowId)],
  async run(i, ctx) {
    checkFilterKeys(i.Filters, ['ExecutionStatus', 'StartedBefore', 'StartedAfter']);
    const startedBefore = timeFilter(filterValues(i.Filters, 'StartedBefore'), 'StartedBefore');
    const startedAfter = timeFilter(filterValues(i.Filters, 'StartedAfter'), 'StartedAfter');
    const executions = await windowsStore(ctx).listExecutions(i.WindowId, {
      statuses: filterValues(i.Filters, 'ExecutionStatus'),
      ...(startedBefore !== undefined ? { startedBefore } : {}),
      ...(startedAfter !== undefined ? { startedAfter } : {}),
    });
    const { page, NextToken } = pageOf(executions, i, { op: 'DescribeMaintenanceWindowExecutions', window: i.WindowId, filters: i.Filters ?? [] });
    return { WindowExecutions: page.map(executionOutput), ...(NextToken ? { NextToken } : {}) };
  },
});
