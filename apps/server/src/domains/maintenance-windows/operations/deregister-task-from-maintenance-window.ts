import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { uuidSchema, windowIdSchema } from '../maintenance-window-rules.js';
import { arnOf, windowsStore } from './common.js';

const input = z.object({ WindowId: windowIdSchema, WindowTaskId: uuidSchema });

/** DeregisterTaskFromMaintenanceWindow: later runs leave the task out; a run under way keeps it. */
export const deregisterTaskFromMaintenanceWindow = defineOperation({
  service: 'AmazonSSM',
  name: 'DeregisterTaskFromMaintenanceWindow',
  action: 'ssm:DeregisterTaskFromMaintenanceWindow',
  input,
  mutating: true,
  resources: (i, ctx) => [arnOf(ctx, i.WindowId)],
  async run(i, ctx) {
    await windowsStore(ctx).deregisterTask(i.WindowId, i.WindowTaskId);
    return { WindowId: i.WindowId, WindowTaskId: i.WindowTaskId };
  },
});
