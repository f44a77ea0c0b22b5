import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import { resolveTargets, type Target } from '../targets/resolve-targets.js';
import type { ArnScope } from '../tags/tag-resource-types.js';
import type { MaintenanceWindowsStore, WindowRecord } from './maintenance-windows.store.js';

/**
 * The windows a target belongs to (DescribeMaintenanceWindowsForTarget,
 * DescribeMaintenanceWindowSchedule with Targets): a window with a
 * registered target of the same resource type, key and a common value;
 * and for node ids also a window whose registered targets designate one of
 * the nodes now (by tag or group), or whose tasks name the node directly.
 */
export async function windowsForTarget(
  db: Kysely<Database>,
  store: MaintenanceWindowsStore,
  scope: ArnScope,
  request: { targets: Target[]; resourceType: 'INSTANCE' | 'RESOURCE_GROUP' },
): Promise<WindowRecord[]> {
  const nodeIds = new Set(request.targets.filter((t) => t.Key === 'InstanceIds').flatMap((t) => t.Values));
  const sameValue = (registered: Target[]) => request.targets.some((want) => registered.some((t) => t.Key === want.Key && t.Values.some((v) => want.Values.includes(v))));
  const matching: WindowRecord[] = [];
  for (const window of await store.listWindows({})) {
    const targets = (await store.listTargets(window.windowId, db)).filter((t) => t.resourceType === request.resourceType);
    let found = targets.some((t) => sameValue(t.targets));
    if (!found && nodeIds.size && request.resourceType === 'INSTANCE') {
      for (const target of targets) {
        const resolved = await resolveTargets(db, { Targets: target.targets }, { scope });
        if (resolved.instanceIds.some((id) => nodeIds.has(id))) {
          found = true;
          break;
        }
      }
      if (!found) {
        const tasks = await store.listTasks(window.windowId, db);
        found = tasks.some((task) => task.targets.some((t) => t.Key === 'InstanceIds' && t.Values.some((v) => nodeIds.has(v))));
      }
    }
    if (found) matching.push(window);
  }
  return matching;
}
