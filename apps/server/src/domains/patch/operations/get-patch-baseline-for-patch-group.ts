import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { ServiceError } from '../../../rpc/errors.js';
import { operatingSystemField, patchGroupSchema, wireBaselineId } from '../patch-baseline-rules.js';
import { baselinesStore, scopeOf } from './common.js';

const input = z.object({ PatchGroup: patchGroupSchema, OperatingSystem: operatingSystemField.optional() });

/**
 * GetPatchBaselineForPatchGroup (OperatingSystem defaults to WINDOWS): the
 * baseline that applies to the group's nodes of that OS: the registered
 * one, else the OS's default baseline.
 */
export const getPatchBaselineForPatchGroup = defineOperation({
  service: 'AmazonSSM',
  name: 'GetPatchBaselineForPatchGroup',
  action: 'ssm:GetPatchBaselineForPatchGroup',
  input,
  mutating: false,
  resources: () => [],
  async run(i, ctx) {
    const os = i.OperatingSystem ?? 'WINDOWS';
    const store = baselinesStore(ctx);
    const baseline = (await store.registeredFor(i.PatchGroup, os)) ?? (await store.defaultFor(os));
    if (!baseline) {
      throw new ServiceError('DoesNotExistException', `No patch baseline applies to patch group ${i.PatchGroup} on ${os}: none is registered for it and ${os} has no default baseline.`);
    }
    return { BaselineId: wireBaselineId(baseline.baselineId, scopeOf(ctx)), PatchGroup: i.PatchGroup, OperatingSystem: os };
  },
});
