import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { decodeNextToken, encodeNextToken, queryFingerprint } from '../../../rpc/page-token.js';
import { nodeIsGone } from '../patch-compliance.store.js';
import { instanceIdField, instancePatchStateOutput, nextTokenField } from './compliance-common.js';

const input = z.object({
  InstanceIds: z.array(instanceIdField).max(50),
  MaxResults: z.number().int().min(10).max(100).optional(),
  NextToken: nextTokenField,
});

/**
 * DescribeInstancePatchStates: the patch state of the given nodes, as their
 * last Scan or Install left it. Nodes that never reported are not listed;
 * neither are deregistered ones.
 */
export const describeInstancePatchStates = defineOperation({
  service: 'AmazonSSM',
  name: 'DescribeInstancePatchStates',
  action: 'ssm:DescribeInstancePatchStates',
  input,
  mutating: false,
  resources: () => [],
  async run(i, ctx) {
    const ids = [...new Set(i.InstanceIds)];
    const pageSize = i.MaxResults ?? 10;
    const fingerprint = queryFingerprint({ op: 'DescribeInstancePatchStates', ids });
    const offset = decodeNextToken<number>(i.NextToken, fingerprint, 'number') ?? 0;
    if (ids.length === 0) return { InstancePatchStates: [] };
    const rows = await ctx.services.db
      .selectFrom('instance_patch_states')
      .selectAll()
      .where('instance_id', 'in', ids)
      .where((eb) => eb.not(nodeIsGone('instance_patch_states.instance_id')))
      .orderBy('instance_id')
      .limit(pageSize + 1)
      .offset(offset)
      .execute();
    return {
      InstancePatchStates: rows.slice(0, pageSize).map((row) => instancePatchStateOutput(row, ctx)),
      ...(rows.length > pageSize ? { NextToken: encodeNextToken(offset + pageSize, fingerprint) } : {}),
    };
  },
});
