import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { checkFilterKeys, filterValues, maxResultsSchema, nextTokenSchema, uuidSchema, windowFiltersSchema } from '../maintenance-window-rules.js';
import { executionArnOf, invocationOutput, pageOf, windowsStore } from './common.js';

const input = z.object({
  WindowExecutionId: uuidSchema,
  TaskId: uuidSchema,
  Filters: windowFiltersSchema,
  MaxResults: maxResultsSchema,
  NextToken: nextTokenSchema,
});

/** DescribeMaintenanceWindowExecutionTaskInvocations: one invocation per node a task ran on, by Status. */
export const describeMaintenanceWindowExecutionTaskInvocations = defineOperation({
  service: 'AmazonSSM',
  name: 'DescribeMaintenanceWindowExecutionTaskInvocations',
  action: 'ssm:DescribeMaintenanceWindowExecutionTaskInvocations',
  input,
  mutating: false,
  resources: (i, ctx) => executionArnOf(ctx, i.WindowExecutionId),
  async run(i, ctx) {
    checkFilterKeys(i.Filters, ['Status']);
    const invocations = await windowsStore(ctx).listTaskInvocations(i.WindowExecutionId, i.TaskId, filterValues(i.Filters, 'Status'));
    const { page, NextToken } = pageOf(invocations, i, { op: 'DescribeMaintenanceWindowExecutionTaskInvocations', task: i.TaskId, filters: i.Filters ?? [] });
    return { WindowExecutionTaskInvocationIdentities: page.map(invocationOutput), ...(NextToken ? { NextToken } : {}) };
  },
});
