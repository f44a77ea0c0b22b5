import type { Operation } from '../../../rpc/operation.js';
import { createMaintenanceWindow } from './create-maintenance-window.js';
import { getMaintenanceWindow } from './get-maintenance-window.js';
import { updateMaintenanceWindow } from './update-maintenance-window.js';
import { deleteMaintenanceWindow } from './delete-maintenance-window.js';
import { describeMaintenanceWindows } from './describe-maintenance-windows.js';
import { registerTargetWithMaintenanceWindow } from './register-target-with-maintenance-window.js';
import { describeMaintenanceWindowTargets } from './describe-maintenance-window-targets.js';
import { updateMaintenanceWindowTarget } from './update-maintenance-window-target.js';
import { deregisterTargetFromMaintenanceWindow } from './deregister-target-from-maintenance-window.js';
import { registerTaskWithMaintenanceWindow } from './register-task-with-maintenance-window.js';
import { getMaintenanceWindowTask } from './get-maintenance-window-task.js';
import { describeMaintenanceWindowTasks } from './describe-maintenance-window-tasks.js';
import { updateMaintenanceWindowTask } from './update-maintenance-window-task.js';
import { deregisterTaskFromMaintenanceWindow } from './deregister-task-from-maintenance-window.js';
import { describeMaintenanceWindowExecutions } from './describe-maintenance-window-executions.js';
import { getMaintenanceWindowExecution } from './get-maintenance-window-execution.js';
import { describeMaintenanceWindowExecutionTasks } from './describe-maintenance-window-execution-tasks.js';
import { getMaintenanceWindowExecutionTask } from './get-maintenance-window-execution-task.js';
import { describeMaintenanceWindowExecutionTaskInvocations } from './describe-maintenance-window-execution-task-invocations.js';
import { getMaintenanceWindowExecutionTaskInvocation } from './get-maintenance-window-execution-task-invocation.js';
import { cancelMaintenanceWindowExecution } from './cancel-maintenance-window-execution.js';
import { describeMaintenanceWindowSchedule } from './describe-maintenance-window-schedule.js';
import { describeMaintenanceWindowsForTarget } from './describe-maintenance-windows-for-target.js';

/** Maintenance windows: windows, targets, tasks and executions, one operation per file. */
export const maintenanceWindowOperations: Operation[] = [
  createMaintenanceWindow,
  getMaintenanceWindow,
  updateMaintenanceWindow,
  deleteMaintenanceWindow,
  describeMaintenanceWindows,
  registerTargetWithMaintenanceWindow,
  describeMaintenanceWindowTargets,
  updateMaintenanceWindowTarget,
  deregisterTargetFromMaintenanceWindow,
  registerTaskWithMaintenanceWindow,
  getMaintenanceWindowTask,
  describeMaintenanceWindowTasks,
  updateMaintenanceWindowTask,
  deregisterTaskFromMaintenanceWindow,
  describeMaintenanceWindowExecutions,
  getMaintenanceWindowExecution,
  describeMaintenanceWindowExecutionTasks,
  getMaintenanceWindowExecutionTask,
  describeMaintenanceWindowExecutionTaskInvocations,
  getMaintenanceWindowExecutionTaskInvocation,
  cancelMaintenanceWindowExecution,
  describeMaintenanceWindowSchedule,
  describeMaintenanceWindowsForTarget,
];
