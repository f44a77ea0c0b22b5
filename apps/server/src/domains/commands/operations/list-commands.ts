import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { decodeNextToken, encodeNextToken, queryFingerprint } from '../../../rpc/page-token.js';
import { instanceIdSchema } from '../../targets/resolve-targets.js';
import { commandFiltersSchema, commandIdSchema, commandOutput, invalidCommandId, matchesCriteria, readFilters } from './common.js';

const input = z.object({
  CommandId: commandIdSchema.optional(),
  InstanceId: instanceIdSchema.optional(),
  MaxResults: z.number().int().min(1).max(50).optional(),
  NextToken: z.string().min(1).max(1024).optional(),
  Filters: commandFiltersSchema,
});

/** ListCommands: commands, newest first; one by CommandId, or those that ran on a node. */
export const listCommands = defineOperation({
  service: 'AmazonSSM',
  name: 'ListCommands',
  action: 'ssm:ListCommands',
  input,
  mutating: false,
  resources: () => [],
  async run(i, ctx) {
    const criteria = readFilters(i.Filters);
    const pageSize = i.MaxResults ?? 50;
    const fingerprint = queryFingerprint({ op: 'ListCommands', c: i.CommandId, n: i.InstanceId, f: i.Filters });
    const offset = decodeNextToken<number>(i.NextToken, fingerprint, 'number') ?? 0;
    const db = ctx.services.db;

    let query = db.selectFrom('commands').selectAll('commands');
    if (i.CommandId) query = query.where('commands.command_id', '=', i.CommandId);
    if (i.InstanceId) {
      const instanceId = i.InstanceId;
      query = query.where((eb) =>
        eb.exists(eb.selectFrom('command_invocations').select('command_invocations.command_id').whereRef('command_invocations.command_id', '=', 'commands.command_id').where('command_invocations.instance_id', '=', instanceId)),
      );
    }
    query = matchesCriteria(query, criteria);
    const rows = await query.orderBy('commands.requested_at', 'desc').orderBy('commands.command_id').limit(pageSize + 1).offset(offset).execute();
    if (i.CommandId && offset === 0 && rows.length === 0 && !(await db.selectFrom('commands').select('command_id').where('command_id', '=', i.CommandId).executeTakeFirst())) {
      throw invalidCommandId(i.CommandId);
    }
    const page = rows.slice(0, pageSize);
    return {
      Commands: page.map(commandOutput),
      ...(rows.length > pageSize ? { NextToken: encodeNextToken(offset + pageSize, fingerprint) } : {}),
    };
  },
});
