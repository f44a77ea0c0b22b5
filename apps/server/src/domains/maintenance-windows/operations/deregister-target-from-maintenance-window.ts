import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { uuidSchema, windowIdSchema } from '../maintenance-window-rules.js';
import { arnOf, windowsStore } from './common.js';

const input = z.object({ WindowId: windowIdSchema, WindowTargetId: uuidSchema, Safe: z.boolean().optional() });

/**
 * DeregisterTargetFromMaintenanceWindow: with Safe, a target a task still
 * names is refused (TargetInUseException); without, it leaves those tasks too.
 */
export const deregisterTargetFromMaintenanceWindow = defineOperation({
  service: 'AmazonSSM',
  name: 'DeregisterTargetFromMaintenanceWindow',
  action: 'ssm:DeregisterTargetFromMaintenanceWindow',
  input,
  mutating: true,
  resources: (i, ctx) => [arnOf(ctx, i.WindowId)],
  async run(i, ctx) {
    await windowsStore(ctx).deregisterTarget(i.WindowId, i.WindowTargetId, i.Safe ?? false);
    return { WindowId: i.WindowId, WindowTargetId: i.WindowTargetId };
  },
});
