import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { uuidSchema, windowIdSchema } from '../maintenance-window-rules.js';
import { arnOf, taskOutput, windowsStore } from './common.js';

const input = z.object({ WindowId: windowIdSchema, WindowTaskId: uuidSchema });

/** GetMaintenanceWindowTask: one task with its invocation parameters. */
export const getMaintenanceWindowTask = defineOperation({
  service: 'AmazonSSM',
  name: 'GetMaintenanceWindowTask',
  action: 'ssm:GetMaintenanceWindowTask',
  input,
  mutating: false,
  resources: (i, ctx) => [arnOf(ctx, i.WindowId)],
  async run(i, ctx) {
    return taskOutput(await windowsStore(ctx).getTask(i.WindowId, i.WindowTaskId));
  },
});
