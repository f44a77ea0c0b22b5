import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { uuidSchema } from '../maintenance-window-rules.js';
import { executionArnOf, executionOutput, windowsStore } from './common.js';

const input = z.object({ WindowExecutionId: uuidSchema });

/** GetMaintenanceWindowExecution: one run with the ids of its task executions. */
export const getMaintenanceWindowExecution = defineOperation({
  service: 'AmazonSSM',
  name: 'GetMaintenanceWindowExecution',
  action: 'ssm:GetMaintenanceWindowExecution',
  input,
  mutating: false,
  resources: (i, ctx) => executionArnOf(ctx, i.WindowExecutionId),
  async run(i, ctx) {
    const store = windowsStore(ctx);
    const execution = await store.getExecution(i.WindowExecutionId);
    const tasks = await store.listTaskExecutions(i.WindowExecutionId);
    const { WindowId: _w, ...output } = executionOutput(execution);
    return { ...output, TaskIds: tasks.map((t) => t.task_execution_id) };
  },
});
