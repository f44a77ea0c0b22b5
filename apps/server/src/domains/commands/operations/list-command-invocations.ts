import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { decodeNextToken, encodeNextToken, queryFingerprint } from '../../../rpc/page-token.js';
import { instanceIdSchema } from '../../targets/resolve-targets.js';
import type { CommandRow, InvocationRow } from '../commands.store.js';
import { commandFiltersSchema, commandIdSchema, invocationOutput, matchesCriteria, readFilters } from './common.js';

const input = z.object({
  CommandId: commandIdSchema.optional(),
  InstanceId: instanceIdSchema.optional(),
  MaxResults: z.number().int().min(1).max(50).optional(),
  NextToken: z.string().min(1).max(1024).optional(),
  Filters: commandFiltersSchema,
  Details: z.boolean().optional(),
});

/**
 * ListCommandInvocations: one entry per command and node, newest command
 * first, then in the order the nodes were targeted. With Details, each
 * step's result and the first 2,500 characters of its output.
 */
export const listCommandInvocations = defineOperation({
  service: 'AmazonSSM',
  name: 'ListCommandInvocations',
  action: 'ssm:ListCommandInvocations',
  input,
  mutating: false,
  resources: () => [],
  async run(i, ctx) {
    const criteria = readFilters(i.Filters);
    const pageSize = i.MaxResults ?? 50;
    const fingerprint = queryFingerprint({ op: 'ListCommandInvocations', c: i.CommandId, n: i.InstanceId, f: i.Filters, d: i.Details });
    const offset = decodeNextToken<number>(i.NextToken, fingerprint, 'number') ?? 0;

    let query = ctx.services.db
      .selectFrom('command_invocations')
      .innerJoin('commands', 'commands.command_id', 'command_invocations.command_id')
      .selectAll('command_invocations');
    if (i.CommandId) query = query.where('command_invocations.command_id', '=', i.CommandId);
    if (i.InstanceId) query = query.where('command_invocations.instance_id', '=', i.InstanceId);
    query = matchesCriteria(query, criteria, 'command_invocations.status');
    const rows = await query
      .orderBy('commands.requested_at', 'desc')
      .orderBy('command_invocations.command_id')
      .orderBy('command_invocations.position')
      .limit(pageSize + 1)
      .offset(offset)
      .execute();
    const page: InvocationRow[] = rows.slice(0, pageSize);

    const commandIds = [...new Set(page.map((r) => r.command_id))];
    const commands = new Map<string, CommandRow>();
    if (commandIds.length) {
      for (const c of await ctx.services.db.selectFrom('commands').selectAll().where('command_id', 'in', commandIds).execute()) commands.set(c.command_id, c);
    }
    return {
      CommandInvocations: page.map((row) => invocationOutput(commands.get(row.command_id)!, row, i.Details === true)),
      ...(rows.length > pageSize ? { NextToken: encodeNextToken(offset + pageSize, fingerprint) } : {}),
    };
  },
});
