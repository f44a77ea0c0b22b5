import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { checkFilterKeys, filterValues, maxResultsSchema, nextTokenSchema, uuidSchema, windowFiltersSchema } from '../maintenance-window-rules.js';
import { executionArnOf, pageOf, taskExecutionIdentity, windowsStore } from './common.js';

const input = z.object({
  WindowExecutionId: uuidSchema,
  Filters: windowFiltersSchema,
  MaxResults: maxResultsSchema,
  NextToken: nextTokenSchema,
});

/** DescribeMaintenanceWindowExecutionTasks: the task executions of one run, in priority order, by Status. */
export const describeMaintenanceWindowExecutionTasks = defineOperation({
  service: 'AmazonSSM',
  name: 'DescribeMaintenanceWindowExecutionTasks',
  action: 'ssm:DescribeMaintenanceWindowExecutionTasks',
  input,
  mutating: false,
  resources: (i, ctx) => executionArnOf(ctx, i.WindowExecutionId),
  async run(i, ctx) {
    checkFilterKeys(i.Filters, ['Status']);
    const tasks = await windowsStore(ctx).listTaskExecutions(i.WindowExecutionId, filterValues(i.Filters, 'Status'));
    const { page, NextToken } = pageOf(tasks, i, { op: 'DescribeMaintenanceWindowExecutionTasks', execution: i.WindowExecutionId, filters: i.Filters ?? [] });
    return { WindowExecutionTaskIdentities: page.map(taskExecutionIdentity), ...(NextToken ? { NextToken } : {}) };
  },
});
