import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { clientTokenSchema, windowIdSchema } from '../maintenance-window-rules.js';
import { checkTaskTargets, taskDraftOf, taskMembers, taskTypeSchema } from '../window-tasks.js';
import { arnOf, windowsStore } from './common.js';

const input = z.object({
  WindowId: windowIdSchema,
  ...taskMembers,
  TaskArn: taskMembers.TaskArn.unwrap(),
  TaskType: taskTypeSchema,
  ClientToken: clientTokenSchema.optional(),
});

/**
 * RegisterTaskWithMaintenanceWindow: a RUN_COMMAND task (a Command
 * document run on the window's nodes) with its priority, rate limits and
 * cutoff behaviour. Other task types are refused with the reason.
 */
export const registerTaskWithMaintenanceWindow = defineOperation({
  service: 'AmazonSSM',
  name: 'RegisterTaskWithMaintenanceWindow',
  action: 'ssm:RegisterTaskWithMaintenanceWindow',
  input,
  mutating: true,
  resources: (i, ctx) => [arnOf(ctx, i.WindowId)],
  async run(i, ctx) {
    const draft = taskDraftOf(i);
    const windowTaskId = await windowsStore(ctx).registerTask(i.WindowId, draft, (window, registered) => checkTaskTargets(draft.targets, window, registered), i.ClientToken);
    return { WindowTaskId: windowTaskId };
  },
});
