import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import type { Services } from '../../services.js';
import { ServiceError } from '../../rpc/errors.js';
import { DocumentsStore } from '../documents/documents.store.js';
import { documentNameOf } from '../documents/document-rules.js';
import { findDocumentVersion } from '../documents/document-lookup.js';
import { commandDocumentOf } from '../documents/document-content.js';
import { renderCommand } from '../documents/render-command.js';
import { parameterStoreReader } from '../documents/parameter-store-reader.js';
import { resolveTargets, type Target } from '../targets/resolve-targets.js';
import { managedInstanceArn } from '../resource-groups/node-membership.js';
import type { ArnScope } from '../tags/tag-resource-types.js';
import { validateRateLimit } from './command-progress.js';
import { sealPayload, type CommandPayload } from './command-payload.js';
import type { CommandRow, InvocationRow } from './commands.store.js';

/** A step's own timeout when the document does not set one (Systems Manager's default, one hour). */
const DEFAULT_STEP_TIMEOUT_SECONDS = 3600;

/** What a command is asked with: SendCommand's members (a maintenance window task builds the same). */
export interface CommandRequest {
  DocumentName: string;
  DocumentVersion?: string;
  DocumentHash?: string;
  DocumentHashType?: 'Sha256' | 'Sha1';
  InstanceIds?: string[];
  Targets?: Target[];
  Parameters?: Record<string, string[]>;
  Comment?: string;
  TimeoutSeconds?: number;
  MaxConcurrency?: string;
  MaxErrors?: string;
  NotificationConfig?: { NotificationArn?: string; NotificationEvents?: string[]; NotificationType?: string };
  ServiceRoleArn?: string;
  OutputS3BucketName?: string;
  OutputS3KeyPrefix?: string;
}

/** On whose behalf a command is prepared: its permissions decide which parameters and nodes it may use. */
export interface CommandRequester {
  arn: string;
  isAllowed(action: string, resourceArn: string): boolean;
}

export interface CommandPreparation {
  requester: CommandRequester;
  scope: ArnScope;
  now: number;
  /**
   * Nodes already resolved by the caller (a maintenance window resolves its
   * own targets, and skips nodes that are gone instead of refusing); when
   * given, the request's InstanceIds and Targets are only recorded.
   */
  instanceIds?: string[];
}

/** A command ready to be written: its row and one invocation per node. */
export interface PreparedCommand {
  command: CommandRow;
  invocations: InvocationRow[];
}

/** Seconds a step may run: its `timeoutSeconds` input (AWS-RunShellScript's executionTimeout lands there). */
function stepTimeoutSeconds(inputs: Record<string, unknown>): number {
  const raw = inputs.timeoutSeconds;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  return Number.isFinite(value) && value > 0 ? Math.ceil(value) : DEFAULT_STEP_TIMEOUT_SECONDS;
}

/**
 * Everything SendCommand checks and builds before writing: the document
 * (and its hash), the rendered steps with Parameter Store values the
 * requester may read, the nodes, the rate limits. Only reads; the caller
 * writes the result (CommandsStore.insert) and wakes the engine, so a
 * refusal leaves nothing behind.
 */
export async function prepareCommand(services: Services, request: CommandRequest, preparation: CommandPreparation): Promise<PreparedCommand> {
  const { requester, scope, now } = preparation;
  const maxConcurrency = validateRateLimit(request.MaxConcurrency, 'MaxConcurrency');
  const maxErrors = validateRateLimit(request.MaxErrors, 'MaxErrors');
  if (request.NotificationConfig?.NotificationArn && !/^arn:aws:sns:[^:]+:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(request.NotificationConfig.NotificationArn)) {
    throw new ServiceError('InvalidNotificationConfig', `NotificationArn ${request.NotificationConfig.NotificationArn} is not a topic ARN (arn:aws:sns:<region>:<account>:<name>).`);
  }

  const documents = new DocumentsStore({ db: services.db, dialect: services.dialect, now: () => now });
  const found = await findDocumentVersion(documents, documentNameOf(request.DocumentName, scope), { documentVersion: request.DocumentVersion });
  if (found.document.documentType !== 'Command') {
    throw new ServiceError('InvalidDocument', `${found.document.name} is a ${found.document.documentType} document; Run Command runs Command documents.`);
  }
  if (request.DocumentHash !== undefined) {
    const hash = createHash(request.DocumentHashType === 'Sha1' ? 'sha1' : 'sha256').update(found.version.content).digest('hex');
    if (hash !== request.DocumentHash.toLowerCase()) throw new ServiceError('InvalidDocument', `The DocumentHash does not match version ${found.version.version} of ${found.document.name}.`);
  }
  const document = commandDocumentOf(found.version);
  const rendered = await renderCommand({
    document,
    parameters: request.Parameters,
    readParameter: parameterStoreReader({ store: services.parameters, scope, canRead: (arn) => requester.isAllowed('ssm:GetParameters', arn) }),
  });

  let instanceIds = preparation.instanceIds;
  if (!instanceIds) {
    const targets = await resolveTargets(services.db, { InstanceIds: request.InstanceIds, Targets: request.Targets }, { scope, caller: requester });
    if (targets.unknownInstanceIds.length) {
      throw new ServiceError('InvalidInstanceId', `These nodes are not registered, or are deregistered: ${targets.unknownInstanceIds.join(', ')}.`);
    }
    instanceIds = targets.instanceIds;
  }
  for (const instanceId of instanceIds) {
    const arn = managedInstanceArn(scope, instanceId);
    if (!requester.isAllowed('ssm:SendCommand', arn)) {
      throw new ServiceError('AccessDeniedException', `User: ${requester.arn} is not authorized to perform: ssm:SendCommand on resource: ${arn}`);
    }
  }

  // Tend's agents run on Linux: steps for another platform only are left out of what is sent.
  const steps = rendered.steps.filter((s) => s.platformType === undefined || s.platformType === 'Linux');
  const executionTimeoutSeconds = steps.reduce((sum, s) => sum + stepTimeoutSeconds(s.inputs), 0) || DEFAULT_STEP_TIMEOUT_SECONDS;
  const timeoutSeconds = request.TimeoutSeconds ?? 3600;
  const commandId = randomUUID();
  const nodeInputs = await services.commands.nodeStepInputs(steps, instanceIds, now);
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
    comment: request.Comment ?? '',
    parameters: JSON.stringify(request.Parameters ?? {}),
    instance_ids: JSON.stringify(request.InstanceIds ?? []),
    targets: JSON.stringify(request.Targets ?? []),
    requested_at: now,
    expires_after: now + (timeoutSeconds + executionTimeoutSeconds) * 1000,
    timeout_seconds: timeoutSeconds,
    execution_timeout_seconds: executionTimeoutSeconds,
    max_concurrency: maxConcurrency,
    max_errors: maxErrors,
    notification_config: request.NotificationConfig?.NotificationArn ? JSON.stringify(request.NotificationConfig) : null,
    service_role_arn: request.ServiceRoleArn ?? null,
    output_s3_bucket_name: request.OutputS3BucketName ?? null,
    output_s3_key_prefix: request.OutputS3KeyPrefix ?? null,
    requested_by: requester.arn,
    step_names: JSON.stringify(steps.map((s) => s.name)),
    steps_sealed: sealPayload(services.secrets, commandId, payload),
    targeted_by_tag: (request.Targets ?? []).some((t) => t.Key.startsWith('tag:') || t.Key === 'tag-key') ? 1 : 0,
    cancel_requested: 0,
    status: 'Pending',
    status_details: 'Pending',
    target_count: instanceIds.length,
    completed_count: 0,
    error_count: 0,
    delivery_timed_out_count: 0,
    updated_at: now,
  };
  const names = await nodeNames(services.db, instanceIds);
  const invocations: InvocationRow[] = instanceIds.map((instanceId, position) => ({
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
  return { command, invocations };
}

/** InstanceName of each invocation: the node's computer name as its agent reports it. */
async function nodeNames(db: Kysely<Database>, ids: string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (let at = 0; at < ids.length; at += 500) {
    const rows = await db.selectFrom('managed_nodes').select(['instance_id', 'computer_name', 'name']).where('instance_id', 'in', ids.slice(at, at + 500)).execute();
    for (const r of rows) names.set(r.instance_id, r.computer_name ?? r.name ?? '');
  }
  return names;
}
