import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { checkFilterKeys, filterValues, maxResultsSchema, nextTokenSchema, windowFiltersSchema, windowIdSchema } from '../maintenance-window-rules.js';
import { arnOf, pageOf, taskListOutput, windowsStore } from './common.js';

const input = z.object({
  WindowId: windowIdSchema,
  Filters: windowFiltersSchema,
  MaxResults: maxResultsSchema,
  NextToken: nextTokenSchema,
});

/** DescribeMaintenanceWindowTasks: a window's tasks in priority order, by WindowTaskId, TaskArn, Priority and TaskType. */
export const describeMaintenanceWindowTasks = defineOperation({
  service: 'AmazonSSM',
  name: 'DescribeMaintenanceWindowTasks',
  action: 'ssm:DescribeMaintenanceWindowTasks',
  input,
  mutating: false,
  resources: (i, ctx) => [arnOf(ctx, i.WindowId)],
  async run(i, ctx) {
    checkFilterKeys(i.Filters, ['WindowTaskId', 'TaskArn', 'Priority', 'TaskType']);
    const ids = filterValues(i.Filters, 'WindowTaskId');
    const arns = filterValues(i.Filters, 'TaskArn');
    const priorities = filterValues(i.Filters, 'Priority');
    const types = filterValues(i.Filters, 'TaskType');
    const tasks = (await windowsStore(ctx).listTasks(i.WindowId)).filter(
      (t) =>
        (!ids || ids.includes(t.windowTaskId)) &&
        (!arns || arns.includes(t.taskArn)) &&
        (!priorities || priorities.includes(String(t.priority))) &&
        (!types || types.includes(t.taskType)),
    );
    const { page, NextToken } = pageOf(tasks, i, { op: 'DescribeMaintenanceWindowTasks', window: i.WindowId, filters: i.Filters ?? [] });
    return { Tasks: page.map(taskListOutput), ...(NextToken ? { NextToken } : {}) };
  },
});
