import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { uuidSchema } from '../maintenance-window-rules.js';
import { executionArnOf, invocationOutput, windowsStore } from './common.js';

const input = z.object({ WindowExecutionId: uuidSchema, TaskId: uuidSchema, InvocationId: uuidSchema });

/** GetMaintenanceWindowExecutionTaskInvocation: one node's part of a task execution. */
export const getMaintenanceWindowExecutionTaskInvocation = defineOperation({
  service: 'AmazonSSM',
  name: 'GetMaintenanceWindowExecutionTaskInvocation',
  action: 'ssm:GetMaintenanceWindowExecutionTaskInvocation',
  input,
  mutating: false,
  resources: (i, ctx) => executionArnOf(ctx, i.WindowExecutionId),
  async run(i, ctx) {
    return invocationOutput(await windowsStore(ctx).getTaskInvocation(i.WindowExecutionId, i.TaskId, i.InvocationId));
  },
});
