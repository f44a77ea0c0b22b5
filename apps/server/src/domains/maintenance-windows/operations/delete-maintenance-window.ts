import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { windowIdSchema } from '../maintenance-window-rules.js';
import { arnOf, windowsStore } from './common.js';

const input = z.object({ WindowId: windowIdSchema });

/** DeleteMaintenanceWindow: the window, its targets, tasks, history and timers. */
export const deleteMaintenanceWindow = defineOperation({
  service: 'AmazonSSM',
  name: 'DeleteMaintenanceWindow',
  action: 'ssm:DeleteMaintenanceWindow',
  input,
  mutating: true,
  resources: (i, ctx) => [arnOf(ctx, i.WindowId)],
  async run(i, ctx) {
    await windowsStore(ctx).deleteWindow(i.WindowId);
    return { WindowId: i.WindowId };
  },
});
