import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { ServiceError } from '../../../rpc/errors.js';
import { operatingSystemField, wireBaselineId } from '../patch-baseline-rules.js';
import { baselinesStore, scopeOf } from './common.js';

const input = z.object({ OperatingSystem: operatingSystemField.optional() });

/**
 * GetDefaultPatchBaseline (OperatingSystem defaults to WINDOWS, as in
 * Systems Manager): the registered default, else the predefined baseline.
 * An operating system Tend has no predefined baseline for (Windows, macOS,
 * Oracle Linux, older Amazon Linux) has a default only once one is registered.
 */
export const getDefaultPatchBaseline = defineOperation({
  service: 'AmazonSSM',
  name: 'GetDefaultPatchBaseline',
  action: 'ssm:GetDefaultPatchBaseline',
  input,
  mutating: false,
  resources: () => [],
  async run(i, ctx) {
    const os = i.OperatingSystem ?? 'WINDOWS';
    const baseline = await baselinesStore(ctx).defaultFor(os);
    if (!baseline) {
      throw new ServiceError(
        'DoesNotExistException',
        `No default patch baseline exists for ${os}: Tend has no predefined baseline for it. Create one and register it with RegisterDefaultPatchBaseline.`,
      );
    }
    return { BaselineId: wireBaselineId(baseline.baselineId, scopeOf(ctx)), OperatingSystem: os };
  },
});
