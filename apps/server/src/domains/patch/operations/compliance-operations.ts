import type { Operation } from '../../../rpc/operation.js';
import { describeInstancePatchStates } from './describe-instance-patch-states.js';
import { describeInstancePatchStatesForPatchGroup } from './describe-instance-patch-states-for-patch-group.js';
import { describeInstancePatches } from './describe-instance-patches.js';
import { describePatchGroupState } from './describe-patch-group-state.js';
import { describeAvailablePatches } from './describe-available-patches.js';
import { describeEffectivePatchesForPatchBaseline } from './describe-effective-patches-for-patch-baseline.js';
import { getDeployablePatchSnapshotForInstance } from './get-deployable-patch-snapshot-for-instance.js';
import { listComplianceItems } from './list-compliance-items.js';
import { listComplianceSummaries } from './list-compliance-summaries.js';
import { listResourceComplianceSummaries } from './list-resource-compliance-summaries.js';
import { putComplianceItems } from './put-compliance-items.js';
import { listPatchOperations } from './list-patch-operations.js';

/** Patch compliance reporting, the compliance API and the patch history. */
export const patchComplianceOperations: Operation[] = [
  describeInstancePatchStates,
  describeInstancePatchStatesForPatchGroup,
  describeInstancePatches,
  describePatchGroupState,
  describeAvailablePatches,
  describeEffectivePatchesForPatchBaseline,
  getDeployablePatchSnapshotForInstance,
  listComplianceItems,
  listComplianceSummaries,
  listResourceComplianceSummaries,
  putComplianceItems,
  listPatchOperations,
];
