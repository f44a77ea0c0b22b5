import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { windowIdSchema } from '../maintenance-window-rules.js';
import { arnOf, windowOutput, windowsStore } from './common.js';

const input = z.object({ WindowId: windowIdSchema });

/** GetMaintenanceWindow: the window's settings and its next scheduled run. */
export const getMaintenanceWindow = defineOperation({
  service: 'AmazonSSM',
  name: 'GetMaintenanceWindow',
  action: 'ssm:GetMaintenanceWindow',
  input,
  mutating: false,
  resources: (i, ctx) => [arnOf(ctx, i.WindowId)],
  async run(i, ctx) {
    return windowOutput(await windowsStore(ctx).getWindow(i.WindowId), ctx.now.getTime());
  },
});
