import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { uuidSchema } from '../maintenance-window-rules.js';
import { cancelWindowExecution } from '../window-executions.js';
import { executionArnOf } from './common.js';

const input = z.object({ WindowExecutionId: uuidSchema });

/**
 * CancelMaintenanceWindowExecution: stops a run. Tasks not started never
 * will; running tasks' commands are cancelled; the execution shows
 * CANCELLING until they have ended, then CANCELLED.
 */
export const cancelMaintenanceWindowExecution = defineOperation({
  service: 'AmazonSSM',
  name: 'CancelMaintenanceWindowExecution',
  action: 'ssm:CancelMaintenanceWindowExecution',
  input,
  mutating: true,
  resources: (i, ctx) => executionArnOf(ctx, i.WindowExecutionId),
  async run(i, ctx) {
    await cancelWindowExecution(ctx.services, i.WindowExecutionId, ctx.now.getTime());
    return { WindowExecutionId: i.WindowExecutionId };
  },
});
