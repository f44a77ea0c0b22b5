import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { ServiceError } from '../../../rpc/errors.js';

const ACTIVATION_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * DeleteActivation: no further node can register with it. Nodes already
 * registered keep their identity and keep working.
 */
export const deleteActivation = defineOperation({
  service: 'AmazonSSM',
  name: 'DeleteActivation',
  action: 'ssm:DeleteActivation',
  mutating: true,
  input: z.object({ ActivationId: z.string().min(1).max(128) }),
  resources: () => [],
  async run(i, ctx) {
    if (!ACTIVATION_ID.test(i.ActivationId)) {
      throw new ServiceError('InvalidActivationId', `The activation ID isn't valid: ${i.ActivationId} is not an activation ID.`);
    }
    if (!(await ctx.services.activations.delete(i.ActivationId.toLowerCase()))) {
      throw new ServiceError('InvalidActivation', `The activation isn't valid: ${i.ActivationId} does not exist or was already deleted.`);
    }
    return {};
  },
});
