import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { ServiceError } from '../../../rpc/errors.js';
import { documentsStore, nameOf, arnOf, scopeOf } from '../../documents/operations/common.js';
import { findDocumentVersion } from '../../documents/document-lookup.js';
import { commandDocumentOf } from '../../documents/document-content.js';
import { renderCommand } from '../../documents/render-command.js';
import { parameterStoreReader } from '../../documents/parameter-store-reader.js';
import { resolveTargets, targetingMembers } from '../../targets/resolve-targets.js';
import { managedInstanceArn } from '../../resource-groups/node-membership.js';
import { validateRateLimit } from '../command-progress.js';
import { notificationConfigSchema } from '../command-notifications.js';
import { sealPayload, type CommandPayload } from '../command-payload.js';
import type { CommandRow, InvocationRow } from '../commands.store.js';
import { commandOutput } from './common.js';

/** A step's own timeout when the document does not set one (Systems Manager's default, one hour). */
const DEFAULT_STEP_TIMEOUT_SECONDS = 3600;

const input = z.object({
  DocumentName: z.string().min(1).max(1011),
  DocumentVersion: z.string().regex(/^([$]LATEST|[$]DEFAULT|[0-9]+)$/).optional(),
  DocumentHash: z.string().max(256).optional(),
  DocumentHashType: z.enum(['Sha256', 'Sha1']).optional(),
  ...targetingMembers,
  Parameters: z.record(z.array(z.string())).optional(),
  Comment: z.string().max(100).optional(),
  TimeoutSeconds: z.number().int().min(30).max(2_592_000).optional(),
  MaxConcurrency: z.string().optional(),
  MaxErrors: z.string().optional(),
  NotificationConfig: notificationConfigSchema.optional(),
  ServiceRoleArn: z.string().max(2048).optional(),
  OutputS3Region: z.string().min(3).max(20).optional(),
  OutputS3BucketName: z.string().min(3).max(63).optional(),
  OutputS3KeyPrefix: z.string().max(500).optional(),
  // Accepted so scripts written for Systems Manager run unchanged; Tend keeps output itself and has no alarms.
  CloudWatchOutputConfig: z.object({ CloudWatchLogGroupName: z.string().optional(), CloudWatchOutputEnabled: z.boolean().optional() }).optional(),
  AlarmConfiguration: z.unknown().optional(),
});

/** Seconds a step may run: its `timeoutSeconds` input (AWS-RunShellScript's executionTimeout lands there). */
function stepTimeoutSeconds(inputs: Record<string, unknown>): number {
  const raw = inputs.timeoutSeconds;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  return Number.isFinite(value) && value > 0 ? Math.ceil(value) : DEFAULT_STEP_TIMEOUT_SECONDS;
}

/**
 * SendCommand: renders the document with the caller's parameters (and
 * Parameter Store values the caller may read), resolves the targets to
 * managed nodes, and records one invocation per node; the engine takes it
 * from there. Everything is checked before anything is written.
 */
export const sendCommand = defineOperation({
  service: 'AmazonSSM',
  name: 'SendCommand',
  action: 'ssm:SendCommand',
  input,
  mutating: true,
  resources: (i, ctx) => [arnOf(ctx, i.DocumentName), ...(i.InstanceIds ?? []).map((id) => managedInstanceArn(scopeOf(ctx), id))],
  async run(i, ctx) {
    const { services } = ctx;
    const now = ctx.now.getTime();
    const scope = scopeOf(ctx);
    const maxConcurrency = validateRateLimit(i.MaxConcurrency, 'MaxConcurrency');
    const maxErrors = validateRateLimit(i.MaxErrors, 'MaxErrors');
    if (i.NotificationConfig?.NotificationArn && !/^arn:aws:sns:[^:]+:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(i.NotificationConfig.NotificationArn)) {
      throw new ServiceError('InvalidNotificationConfig', `NotificationArn ${i.NotificationConfig.NotificationArn} is not a topic ARN (arn:aws:sns:<region>:<account>:<name>).`);
    }

    const found = await findDocumentVersion(documentsStore(ctx), nameOf(ctx, i.DocumentName), { documentVersion: i.DocumentVersion });
    if (found.document.documentType !== 'Command') {
      throw new ServiceError('InvalidDocument', `${found.document.name} is a ${found.document.documentType} document; Run Command runs Command documents.`);
    }
    if (i.DocumentHash !== undefined) {
      const hash = createHash(i.DocumentHashType === 'Sha1' ? 'sha1' : 'sha256').update(found.version.content).digest('hex');
      if (hash !== i.DocumentHash.toLowerCase()) throw new ServiceError('InvalidDocument', `The DocumentHash does not match version ${found.version.version} of ${found.document.name}.`);
    }
    const document = commandDocumentOf(found.version);
    const rendered = await renderCommand({
      document,
      parameters: i.Parameters,
      readParameter: parameterStoreReader({ store: services.parameters, scope, canRead: (arn) => ctx.isAllowed('ssm:GetParameters', arn) }),
    });

    const targets = await resolveTargets(services.db, { InstanceIds: i.InstanceIds, Targets: i.Targets }, { scope, caller: { arn: ctx.caller.arn, isAllowed: ctx.isAllowed } });
    if (targets.unknownInstanceIds.length) {
      throw new ServiceError('InvalidInstanceId', `These nodes are not registered, or are deregistered: ${targets.unknownInstanceIds.join(', ')}.`);
    }
    for (const instanceId of targets.instanceIds) {
      const arn = managedInstanceArn(scope, instanceId);
      if (!ctx.isAllowed('ssm:SendCommand', arn)) {
        throw new ServiceError('AccessDeniedException', `User: ${ctx.caller.arn} is not authorized to perform: ssm:SendCommand on resource: ${arn}`);
      }
    }

    // Tend's agents run on Linux: steps for another platform only are left out of what is sent.
    const steps = rendered.steps.filter((s) => s.platformType === undefined || s.platformType === 'Linux');
    const executionTimeoutSeconds = steps.reduce((sum, s) => sum + stepTimeoutSeconds(s.inputs), 0) || DEFAULT_STEP_TIMEOUT_SECONDS;
    const timeoutSeconds = i.TimeoutSeconds ?? 3600;
    const commandId = randomUUID();
    const nodeInputs = await services.commands.nodeStepInputs(steps, targets.instanceIds, now);
    const payload: CommandPayload = {
      steps: steps.map((s) => ({ name: s.name, action: s.action, inputs: s.inputs, ...(Object.keys(s.environment).length ? { env: s.environment } : {}) })),
      secretValues: rendered.secretValues,
      platformTypes: document.platformTypes,
      ...(Object.keys(nodeInputs).length ? { nodeInputs } : {}),
    };
    const command: CommandRow = {
      command_id: commandId,
      document_name: found.document.name,
      document_version: String(found.version.version),
      comment: i.Comment ?? '',
      parameters: JSON.stringify(i.Parameters ?? {}),
      instance_ids: JSON.stringify(i.InstanceIds ?? []),
      targets: JSON.stringify(i.Targets ?? []),
      requested_at: now,
      expires_after: now + (timeoutSeconds + executionTimeoutSeconds) * 1000,
      timeout_seconds: timeoutSeconds,
      execution_timeout_seconds: executionTimeoutSeconds,
      max_concurrency: maxConcurrency,
      max_errors: maxErrors,
      notification_config: i.NotificationConfig?.NotificationArn ? JSON.stringify(i.NotificationConfig) : null,
      service_role_arn: i.ServiceRoleArn ?? null,
      output_s3_bucket_name: i.OutputS3BucketName ?? null,
      output_s3_key_prefix: i.OutputS3KeyPrefix ?? null,
      requested_by: ctx.caller.arn,
      step_names: JSON.stringify(steps.map((s) => s.name)),
      steps_sealed: sealPayload(services.secrets, commandId, payload),
      targeted_by_tag: (i.Targets ?? []).some((t) => t.Key.startsWith('tag:') || t.Key === 'tag-key') ? 1 : 0,
      cancel_requested: 0,
      status: 'Pending',
      status_details: 'Pending',
      target_count: targets.instanceIds.length,
      completed_count: 0,
      error_count: 0,
      delivery_timed_out_count: 0,
      updated_at: now,
    };
    const names = await nodeNames(ctx.services.db, targets.instanceIds);
    const invocations: InvocationRow[] = targets.instanceIds.map((instanceId, position) => ({
      command_id: commandId,
      instance_id: instanceId,
      position,
      instance_name: names.get(instanceId) ?? '',
      status: 'Pending',
      status_details: 'Pending',
      started_at: null,
      // Not started by then (the node never came, or rate control never let it go): Delivery Timed Out.
      delivery_deadline: command.expires_after,
      execution_deadline: null,
      last_sent_at: null,
      accepted_at: null,
      cancel_requested: 0,
      cancel_sent_at: null,
      execution_start: null,
      execution_end: null,
      response_code: -1,
      plugins: null,
      message: null,
      updated_at: now,
    }));
    // A command that designates nothing is finished at once (Success, or "No Instances In Tag").
    if (invocations.length === 0) {
      command.status = 'Success';
      command.status_details = command.targeted_by_tag ? 'No Instances In Tag' : 'Success';
    }
    await services.commands.store.insert(command, invocations);
    services.commands.wake(commandId);
    return { Command: commandOutput(command) };
  },
});

/** InstanceName of each invocation: the node's computer name as its agent reports it. */
async function nodeNames(db: import('kysely').Kysely<import('../../../storage/schema.js').Database>, ids: string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (let at = 0; at < ids.length; at += 500) {
    const rows = await db.selectFrom('managed_nodes').select(['instance_id', 'computer_name', 'name']).where('instance_id', 'in', ids.slice(at, at + 500)).execute();
    for (const r of rows) names.set(r.instance_id, r.computer_name ?? r.name ?? '');
  }
  return names;
}
