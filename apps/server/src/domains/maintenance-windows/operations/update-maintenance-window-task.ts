import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { uuidSchema, windowIdSchema } from '../maintenance-window-rules.js';
import { checkTaskTargets, taskDraftOf, taskMembers } from '../window-tasks.js';
import { arnOf, taskOutput, windowsStore } from './common.js';

const input = z.object({ WindowId: windowIdSchema, WindowTaskId: uuidSchema, ...taskMembers, Replace: z.boolean().optional() });

/**
 * UpdateMaintenanceWindowTask: members not given keep their value; with
 * Replace, TaskArn and Targets are required and the optional members not
 * given are cleared (back to their defaults). Runs under way keep the task
 * as it was when they began.
 */
export const updateMaintenanceWindowTask = defineOperation({
  service: 'AmazonSSM',
  name: 'UpdateMaintenanceWindowTask',
  action: 'ssm:UpdateMaintenanceWindowTask',
  input,
  mutating: true,
  resources: (i, ctx) => [arnOf(ctx, i.WindowId)],
  async run(i, ctx) {
    const { WindowId: _w, WindowTaskId: _t, Replace, ...given } = i;
    const task = await windowsStore(ctx).updateTask(i.WindowId, i.WindowTaskId, (current, window, registered) => {
      const merged = Replace
        ? given
        : {
            Targets: given.Targets ?? current.targets,
            TaskArn: given.TaskArn ?? current.taskArn,
            ServiceRoleArn: given.ServiceRoleArn ?? current.serviceRoleArn,
            TaskParameters: given.TaskParameters ?? current.taskParameters,
            TaskInvocationParameters: given.TaskInvocationParameters ?? current.invocationParameters,
            Priority: given.Priority ?? current.priority,
            MaxConcurrency: given.MaxConcurrency ?? current.maxConcurrency,
            MaxErrors: given.MaxErrors ?? current.maxErrors,
            LoggingInfo: given.LoggingInfo ?? current.loggingInfo,
            Name: given.Name ?? current.name,
            Description: given.Description ?? current.description,
            CutoffBehavior: given.CutoffBehavior ?? current.cutoffBehavior,
          };
      const draft = taskDraftOf({ ...merged, TaskType: current.taskType });
      checkTaskTargets(draft.targets, window, registered);
      return draft;
    });
    // UpdateMaintenanceWindowTaskResult has every member of the task but its type.
    const { TaskType: _type, ...output } = taskOutput(task);
    return output;
  },
});
