import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { clientTokenSchema, descriptionSchema, resourceNameSchema, windowIdSchema } from '../maintenance-window-rules.js';
import { checkWindowTargets } from '../window-targets.js';
import { arnOf, targetsSchema, windowsStore } from './common.js';

const input = z.object({
  WindowId: windowIdSchema,
  ResourceType: z.enum(['INSTANCE', 'RESOURCE_GROUP']),
  Targets: targetsSchema,
  OwnerInformation: z.string().min(1).max(128).optional(),
  Name: resourceNameSchema.optional(),
  Description: descriptionSchema.optional(),
  ClientToken: clientTokenSchema.optional(),
});

/** RegisterTargetWithMaintenanceWindow: nodes (by id, tag or resource group) the window's tasks can name. */
export const registerTargetWithMaintenanceWindow = defineOperation({
  service: 'AmazonSSM',
  name: 'RegisterTargetWithMaintenanceWindow',
  action: 'ssm:RegisterTargetWithMaintenanceWindow',
  input,
  mutating: true,
  resources: (i, ctx) => [arnOf(ctx, i.WindowId)],
  async run(i, ctx) {
    checkWindowTargets(i.ResourceType, i.Targets);
    const windowTargetId = await windowsStore(ctx).registerTarget(
      i.WindowId,
      { resourceType: i.ResourceType, targets: i.Targets, ownerInformation: i.OwnerInformation, name: i.Name, description: i.Description },
      i.ClientToken,
    );
    return { WindowTargetId: windowTargetId };
  },
});
