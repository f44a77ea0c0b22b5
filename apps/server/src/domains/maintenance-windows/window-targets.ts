import { validationError } from '../../rpc/errors.js';
import { checkTargets, type Target } from '../targets/resolve-targets.js';

/**
 * Checks a window target's Targets against its ResourceType: INSTANCE
 * takes node ids or tags (Run Command's syntax), RESOURCE_GROUP takes a
 * resource group (resource-groups:Name, optionally ResourceTypeFilters).
 */
export function checkWindowTargets(resourceType: 'INSTANCE' | 'RESOURCE_GROUP', targets: Target[]): void {
  const criteria = checkTargets({ Targets: targets });
  const groupKinds = new Set(['resource-group', 'resource-types']);
  if (resourceType === 'RESOURCE_GROUP') {
    if (!criteria.some((c) => c.kind === 'resource-group') || criteria.some((c) => !groupKinds.has(c.kind))) {
      throw validationError('A RESOURCE_GROUP target takes Key=resource-groups:Name (and optionally Key=resource-groups:ResourceTypeFilters)');
    }
  } else if (criteria.some((c) => groupKinds.has(c.kind))) {
    throw validationError('An INSTANCE target takes Key=InstanceIds, Key=tag:<key> or Key=tag-key; register a resource group with ResourceType RESOURCE_GROUP');
  }
}
