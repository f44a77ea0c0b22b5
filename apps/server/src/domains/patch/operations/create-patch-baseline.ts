import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { MAX_TAGS_PER_RESOURCE, tagListSchema } from '../../tags/tag-rules.js';
import { baselineArn, baselineDescriptionSchema, baselineNameSchema, operatingSystemField } from '../patch-baseline-rules.js';
import { assertValidRules, baselinesStore, requestHash, ruleMembers, scopeOf } from './common.js';

const input = z.object({
  OperatingSystem: operatingSystemField.optional(),
  Name: baselineNameSchema,
  Description: baselineDescriptionSchema.optional(),
  ...ruleMembers,
  ClientToken: z.string().min(1).max(64).optional(),
  // An empty list is the same as none.
  Tags: z.preprocess((v) => (Array.isArray(v) && v.length === 0 ? undefined : v), tagListSchema(MAX_TAGS_PER_RESOURCE).optional()),
});

/** CreatePatchBaseline: a baseline of the account's own, validated against its operating system's filter keys and values. */
export const createPatchBaseline = defineOperation({
  service: 'AmazonSSM',
  name: 'CreatePatchBaseline',
  action: 'ssm:CreatePatchBaseline',
  input,
  mutating: true,
  // The id is not known before the call: the action applies to the account's baselines.
  resources: (_i, ctx) => [baselineArn(scopeOf(ctx), '*')],
  async run(i, ctx) {
    const { Name, Description, ClientToken, Tags, ...rules } = i;
    const withOs = { ...rules, OperatingSystem: rules.OperatingSystem ?? 'WINDOWS' };
    assertValidRules(withOs);
    const created = await baselinesStore(ctx).create({
      draft: { name: Name, ...(Description !== undefined ? { description: Description } : {}), rules: withOs },
      tags: Tags ?? [],
      ...(ClientToken !== undefined ? { clientToken: ClientToken } : {}),
      requestHash: requestHash({ Name, Description, Tags, ...withOs }),
    });
    return { BaselineId: created.baselineId };
  },
});
