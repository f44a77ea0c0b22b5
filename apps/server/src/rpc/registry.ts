import type { Operation } from './operation.js';
import { parameterOperations } from '../domains/parameters/operations/index.js';
import { iamOperations } from '../domains/iam/operations/index.js';
import { auditOperations } from '../domains/audit/operations/index.js';
import { tagOperations } from '../domains/tags/operations/index.js';
import { resourceGroupOperations } from '../domains/resource-groups/operations/index.js';
import { nodeOperations } from '../domains/nodes/operations/index.js';
import { documentOperations } from '../domains/documents/operations/index.js';
import { notificationOperations } from '../domains/notifications/operations/index.js';
import { commandOperations } from '../domains/commands/operations/index.js';
import { baselineOperations } from '../domains/patch/operations/baseline-operations.js';
import { patchComplianceOperations } from '../domains/patch/operations/compliance-operations.js';
import { serviceSettingOperations } from '../domains/service-settings/operations/index.js';
import { maintenanceWindowOperations } from '../domains/maintenance-windows/operations/index.js';
import { opsItemOperations } from '../domains/ops-items/operations/index.js';

/** Every operation the API serves, keyed by its `X-Amz-Target` value. */
export function buildOperationRegistry(): Map<string, Operation> {
  const all: Operation[] = [...parameterOperations, ...iamOperations, ...auditOperations, ...tagOperations, ...resourceGroupOperations, ...nodeOperations, ...documentOperations, ...notificationOperations, ...commandOperations, ...baselineOperations];
  all.push(...patchComplianceOperations);
  all.push(...serviceSettingOperations);
  all.push(...maintenanceWindowOperations);
  all.push(...opsItemOperations);
  const registry = new Map<string, Operation>();
  for (const op of all) {
    const target = `${op.service}.${op.name}`;
    if (registry.has(target)) throw new Error(`operation ${target} is registered twice`);
    registry.set(target, op);
  }
  return registry;
}
