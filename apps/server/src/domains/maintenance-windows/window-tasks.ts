import { z } from 'zod';
import { ServiceError, validationError } from '../../rpc/errors.js';
import { validateRateLimit } from '../commands/command-progress.js';
import { notificationConfigSchema } from '../commands/command-notifications.js';
import { MAX_INSTANCE_IDS, instanceIdSchema, targetSchema, type Target } from '../targets/resolve-targets.js';
import { checkTaskType, descriptionSchema, resourceNameSchema, windowTargetNotFound, TASK_TYPES } from './maintenance-window-rules.js';
import type { WindowRecord, WindowTaskDraft } from './maintenance-windows.store.js';

/** TaskInvocationParameters.RunCommand: SendCommand's members a task can set. */
const runCommandParametersSchema = z.object({
  Comment: z.string().max(100).optional(),
  CloudWatchOutputConfig: z.object({ CloudWatchLogGroupName: z.string().optional(), CloudWatchOutputEnabled: z.boolean().optional() }).optional(),
  DocumentHash: z.string().max(256).optional(),
  DocumentHashType: z.enum(['Sha256', 'Sha1']).optional(),
  DocumentVersion: z.string().regex(/^([$]LATEST|[$]DEFAULT|[0-9]+)$/).optional(),
  NotificationConfig: notificationConfigSchema.optional(),
  OutputS3BucketName: z.string().min(3).max(63).optional(),
  OutputS3KeyPrefix: z.string().max(500).optional(),
  Parameters: z.record(z.array(z.string())).optional(),
  ServiceRoleArn: z.string().max(2048).optional(),
  TimeoutSeconds: z.number().int().min(30).max(2_592_000).optional(),
});

/** The members Register and UpdateMaintenanceWindowTask share (Register adds TaskType and ClientToken). */
export const taskMembers = {
  Targets: z.array(targetSchema).max(5).optional(),
  TaskArn: z.string().min(1).max(1600).optional(),
  ServiceRoleArn: z.string().max(2048).optional(),
  TaskParameters: z.record(z.object({ Values: z.array(z.string()).optional() })).optional(),
  TaskInvocationParameters: z
    .object({
      RunCommand: runCommandParametersSchema.optional(),
      // Modeled for the other task types, which Tend refuses by TaskType.
      Automation: z.unknown().optional(),
      StepFunctions: z.unknown().optional(),
      Lambda: z.unknown().optional(),
    })
    .optional(),
  Priority: z.number().int().min(0).optional(),
  MaxConcurrency: z.string().min(1).max(7).optional(),
  MaxErrors: z.string().min(1).max(7).optional(),
  LoggingInfo: z.object({ S3BucketName: z.string().min(3).max(63), S3KeyPrefix: z.string().max(500).optional(), S3Region: z.string().min(3).max(20) }).optional(),
  Name: resourceNameSchema.optional(),
  Description: descriptionSchema.optional(),
  CutoffBehavior: z.enum(['CONTINUE_TASK', 'CANCEL_TASK']).optional(),
  // Accepted so scripts written for Systems Manager run unchanged; Tend has no alarms.
  AlarmConfiguration: z.unknown().optional(),
};

export const taskTypeSchema = z.enum(TASK_TYPES);

const taskMembersSchema = z.object(taskMembers);
type TaskMembers = z.infer<typeof taskMembersSchema>;

/** A task draft from request members (already merged with the current task on update), checked. */
export function taskDraftOf(members: TaskMembers & { TaskType: string }): WindowTaskDraft {
  checkTaskType(members.TaskType);
  if (members.TaskArn === undefined) throw validationError('TaskArn must be given: the name of the Command document the task runs');
  if (members.TaskInvocationParameters && Object.keys(members.TaskInvocationParameters).some((k) => k !== 'RunCommand')) {
    throw validationError('TaskInvocationParameters of a RUN_COMMAND task take RunCommand only');
  }
  refusePerNodePseudoParameters(members);
  if (members.MaxConcurrency !== undefined) validateRateLimit(members.MaxConcurrency, 'MaxConcurrency');
  if (members.MaxErrors !== undefined) validateRateLimit(members.MaxErrors, 'MaxErrors');
  return {
    taskArn: members.TaskArn,
    taskType: 'RUN_COMMAND',
    targets: members.Targets ?? [],
    serviceRoleArn: members.ServiceRoleArn,
    taskParameters: members.TaskParameters,
    invocationParameters: members.TaskInvocationParameters as WindowTaskDraft['invocationParameters'],
    loggingInfo: members.LoggingInfo,
    priority: members.Priority ?? 1,
    maxConcurrency: members.MaxConcurrency,
    maxErrors: members.MaxErrors,
    name: members.Name,
    description: members.Description,
    cutoffBehavior: members.CutoffBehavior ?? 'CONTINUE_TASK',
  };
}

/**
 * A RUN_COMMAND task designates its nodes one way: Key=WindowTargetIds
 * naming targets registered with this window, or, when the window allows
 * unassociated targets, Key=InstanceIds.
 */
export function checkTaskTargets(targets: Target[], window: WindowRecord, registered: Set<string>): void {
  if (targets.length !== 1) {
    throw validationError('A RUN_COMMAND task takes one target: Key=WindowTargetIds with registered window target ids, or Key=InstanceIds with node ids');
  }
  const [target] = targets as [Target];
  if (target.Values.length === 0) throw validationError(`Target ${target.Key} has no values`);
  if (target.Key === 'WindowTargetIds') {
    const unknown = target.Values.find((id) => !registered.has(id));
    if (unknown !== undefined) throw windowTargetNotFound(window.windowId, unknown);
    return;
  }
  if (target.Key === 'InstanceIds') {
    if (!window.allowUnassociatedTargets) {
      throw new ServiceError(
        'ValidationException',
        `Maintenance window ${window.windowId} does not allow unassociated targets: register the nodes as a window target and name it with Key=WindowTargetIds`,
      );
    }
    if (target.Values.length > MAX_INSTANCE_IDS) throw validationError(`Key=InstanceIds takes at most ${MAX_INSTANCE_IDS} node ids`);
    const bad = target.Values.find((v) => !instanceIdSchema.safeParse(v).success);
    if (bad !== undefined) throw validationError(`Target InstanceIds: ${JSON.stringify(bad)} is not a managed node id`);
    return;
  }
  throw validationError(`Target key ${target.Key} is not valid for a task: use WindowTargetIds or InstanceIds`);
}

const PER_NODE_PSEUDO_PARAMETER = /\{\{\s*(RESOURCE_ID|TARGET_ID|TARGET_TYPE|WINDOW_TARGET_ID)\s*\}\}/;

/**
 * Pseudo parameters whose value differs per node would need one command per
 * node, outside the task's MaxConcurrency and MaxErrors; rather than run
 * them unreplaced (or all at once), Tend refuses them when the task is
 * registered. The per-run ones are substituted (window-executions.ts).
 */
function refusePerNodePseudoParameters(members: Pick<TaskMembers, 'TaskInvocationParameters' | 'TaskParameters'>): void {
  const values = [
    ...Object.values(members.TaskInvocationParameters?.RunCommand?.Parameters ?? {}).flat(),
    ...Object.values(members.TaskParameters ?? {}).flatMap((p) => p.Values ?? []),
  ];
  const found = values.map((v) => PER_NODE_PSEUDO_PARAMETER.exec(v)).find((m) => m);
  if (found) {
    throw validationError(
      `Pseudo parameter {{${found[1]}}} is not supported: Tend substitutes {{WINDOW_ID}}, {{WINDOW_EXECUTION_ID}}, {{TASK_EXECUTION_ID}} and {{WINDOW_TASK_ID}}, which are the same on every node of a task`,
    );
  }
}
