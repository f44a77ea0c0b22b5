import { z } from 'zod';
import type { PatchBaselineRules } from '@tend/protocol';
import { defineOperation } from '../../../rpc/operation.js';
import { validationError } from '../../../rpc/errors.js';
import { baselineDescriptionSchema, baselineIdSchema, baselineNameSchema } from '../patch-baseline-rules.js';
import { arnOf, assertValidRules, baselineOutput, baselinesStore, ruleMembers, scopeOf } from './common.js';

const input = z.object({
  BaselineId: baselineIdSchema,
  Name: baselineNameSchema.optional(),
  Description: baselineDescriptionSchema.optional(),
  ...ruleMembers,
  Replace: z.boolean().optional(),
});

const RULE_KEYS = Object.keys(ruleMembers) as (keyof typeof ruleMembers)[];

/**
 * UpdatePatchBaseline. Members given replace the baseline's; members left
 * out keep their value, unless Replace is true: then the request is the
 * whole baseline (Name required, as in CreatePatchBaseline) and what it
 * leaves out goes back to its default. The operating system never changes.
 */
export const updatePatchBaseline = defineOperation({
  service: 'AmazonSSM',
  name: 'UpdatePatchBaseline',
  action: 'ssm:UpdatePatchBaseline',
  input,
  mutating: true,
  resources: (i, ctx) => [arnOf(ctx, i.BaselineId)],
  async run(i, ctx) {
    if (i.Replace && i.Name === undefined) throw validationError('Name is required when Replace is true: the request then describes the whole baseline.');
    const updated = await baselinesStore(ctx).update(i.BaselineId, (current) => {
      const rules: PatchBaselineRules = { OperatingSystem: current.operatingSystem };
      for (const key of RULE_KEYS) {
        const value = i[key] !== undefined ? i[key] : i.Replace ? undefined : current.rules[key];
        if (value !== undefined) (rules as Record<string, unknown>)[key] = value;
      }
      assertValidRules(rules);
      const description = i.Description !== undefined ? i.Description : i.Replace ? undefined : current.description;
      return { name: i.Name ?? current.name, ...(description !== undefined ? { description } : {}), rules };
    });
    return baselineOutput(updated, scopeOf(ctx));
  },
});
