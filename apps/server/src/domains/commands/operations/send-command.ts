import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { arnOf, scopeOf } from '../../documents/operations/common.js';
import { targetingMembers } from '../../targets/resolve-targets.js';
import { managedInstanceArn } from '../../resource-groups/node-membership.js';
import { notificationConfigSchema } from '../command-notifications.js';
import { prepareCommand } from '../command-request.js';
import { commandOutput } from './common.js';

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
    const { command, invocations } = await prepareCommand(services, i, {
      requester: { arn: ctx.caller.arn, isAllowed: ctx.isAllowed },
      scope: scopeOf(ctx),
      now: ctx.now.getTime(),
    });
    await services.commands.store.insert(command, invocations);
    services.commands.wake(command.command_id);
    return { Command: commandOutput(command) };
  },
});
