import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { validationError } from '../../../rpc/errors.js';
import { descriptionSchema, resourceNameSchema, uuidSchema, windowIdSchema } from '../maintenance-window-rules.js';
import { checkWindowTargets } from '../window-targets.js';
import { arnOf, targetOutput, targetsSchema, windowsStore } from './common.js';

const input = z.object({
  WindowId: windowIdSchema,
  WindowTargetId: uuidSchema,
  Targets: targetsSchema.optional(),
  OwnerInformation: z.string().min(1).max(128).optional(),
  Name: resourceNameSchema.optional(),
  Description: descriptionSchema.optional(),
  Replace: z.boolean().optional(),
});

/**
 * UpdateMaintenanceWindowTarget: members not given keep their value; with
 * Replace, Targets is required and the optional members not given are cleared.
 */
export const updateMaintenanceWindowTarget = defineOperation({
  service: 'AmazonSSM',
  name: 'UpdateMaintenanceWindowTarget',
  action: 'ssm:UpdateMaintenanceWindowTarget',
  input,
  mutating: true,
  resources: (i, ctx) => [arnOf(ctx, i.WindowId)],
  async run(i, ctx) {
    if (i.Replace && !i.Targets) throw validationError('With Replace, Targets must be given (RegisterTargetWithMaintenanceWindow requires it)');
    const target = await windowsStore(ctx).updateTarget(i.WindowId, i.WindowTargetId, (current) => {
      const next = i.Replace
        ? { resourceType: current.resourceType, targets: i.Targets!, ownerInformation: i.OwnerInformation, name: i.Name, description: i.Description }
        : {
            resourceType: current.resourceType,
            targets: i.Targets ?? current.targets,
            ownerInformation: i.OwnerInformation ?? current.ownerInformation,
            name: i.Name ?? current.name,
            description: i.Description ?? current.description,
          };
      checkWindowTargets(next.resourceType, next.targets);
      return next;
    });
    const { ResourceType: _type, ...output } = targetOutput(target);
    return output;
  },
});
