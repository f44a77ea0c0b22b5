import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { uuidSchema } from '../maintenance-window-rules.js';
import { executionArnOf, taskExecutionOutput, windowsStore } from './common.js';

const input = z.object({ WindowExecutionId: uuidSchema, TaskId: uuidSchema });

/** GetMaintenanceWindowExecutionTask: one task execution of a run, with the task as it ran. */
export const getMaintenanceWindowExecutionTask = defineOperation({
  service: 'AmazonSSM',
  name: 'GetMaintenanceWindowExecutionTask',
  action: 'ssm:GetMaintenanceWindowExecutionTask',
  input,
  mutating: false,
  resources: (i, ctx) => executionArnOf(ctx, i.WindowExecutionId),
  async run(i, ctx) {
    return taskExecutionOutput(await windowsStore(ctx).getTaskExecution(i.WindowExecutionId, i.TaskId));
  },
});
