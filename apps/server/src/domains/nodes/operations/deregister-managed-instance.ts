import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { REJECT_CODES } from '@tend/protocol';
import { managedInstanceArn } from '../../resource-groups/node-membership.js';
import { scopeOf } from './node-operation.js';

/**
 * DeregisterManagedInstance: the node becomes Inactive for good. Its live
 * connection is refused and closed here; a connection held by another
 * replica is closed at that replica's next heartbeat flush, which finds the
 * node Inactive. Its key can never connect again.
 */
export const deregisterManagedInstance = defineOperation({
  service: 'AmazonSSM',
  name: 'DeregisterManagedInstance',
  action: 'ssm:DeregisterManagedInstance',
  mutating: true,
  input: z.object({ InstanceId: z.string().min(1).max(124) }),
  resources: (i, ctx) => [managedInstanceArn(scopeOf(ctx), i.InstanceId)],
  async run(i, ctx) {
    await ctx.services.nodes.deregister(i.InstanceId, ctx.now.getTime());
    ctx.services.agents.disconnect(i.InstanceId, { code: REJECT_CODES.deregistered, message: `Managed node ${i.InstanceId} was deregistered.` });
    return {};
  },
});
