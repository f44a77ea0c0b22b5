import type { Operation } from '../../../rpc/operation.js';
import { createPatchBaseline } from './create-patch-baseline.js';
import { deletePatchBaseline } from './delete-patch-baseline.js';
import { deregisterPatchBaselineForPatchGroup } from './deregister-patch-baseline-for-patch-group.js';
import { describePatchBaselines } from './describe-patch-baselines.js';
import { describePatchGroups } from './describe-patch-groups.js';
import { describePatchProperties } from './describe-patch-properties.js';
import { getDefaultPatchBaseline } from './get-default-patch-baseline.js';
import { getPatchBaseline } from './get-patch-baseline.js';
import { getPatchBaselineForPatchGroup } from './get-patch-baseline-for-patch-group.js';
import { registerDefaultPatchBaseline } from './register-default-patch-baseline.js';
import { registerPatchBaselineForPatchGroup } from './register-patch-baseline-for-patch-group.js';
import { updatePatchBaseline } from './update-patch-baseline.js';

/** Patch baselines and patch groups, one operation per file. */
export const baselineOperations: Operation[] = [
  createPatchBaseline,
  getPatchBaseline,
  updatePatchBaseline,
  deletePatchBaseline,
  describePatchBaselines,
  registerDefaultPatchBaseline,
  getDefaultPatchBaseline,
  registerPatchBaselineForPatchGroup,
  deregisterPatchBaselineForPatchGroup,
  getPatchBaselineForPatchGroup,
  describePatchGroups,
  describePatchProperties,
];
