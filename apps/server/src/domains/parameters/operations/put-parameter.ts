import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { ServiceError } from '../../../rpc/errors.js';
import { assertUserWritable, parameterNameKey, validateParameterName } from '../parameter-names.js';
import {
  DEFAULT_KEY_ID,
  PARAMETER_TYPES,
  REQUESTED_TIERS,
  assertDataType,
  assertKeyIdShape,
  assertMatchesAllowedPattern,
  compileAllowedPattern,
  parseParameterPolicies,
  resolveTier,
  type RequestedTier,
} from '../parameter-values.js';
import { nextVersionPolicies } from '../parameter-policies.js';
import type { ParameterDraft, ParameterRecord } from '../parameters.store.js';
import { DEFAULT_PARAMETER_TIER_SETTING, serviceSettingValue } from '../../service-settings/service-settings.js';
import { changeOf, parameterNameField, scopeOf, storeOf } from './common.js';

/** A resource carries at most 50 tags (AddTagsToResource's limit). */
const MAX_TAGS = 50;

const input = z.object({
  Name: parameterNameField,
  Description: z.string().max(1024).optional(),
  Value: z.string().min(1).max(8192),
  Type: z.enum(PARAMETER_TYPES).optional(),
  KeyId: z.string().min(1).max(256).optional(),
  Overwrite: z.boolean().optional(),
  AllowedPattern: z.string().max(1024).optional(),
  Tags: z
    .array(z.object({ Key: z.string().min(1).max(128), Value: z.string().max(256) }))
    .max(MAX_TAGS)
    .optional(),
  Tier: z.enum(REQUESTED_TIERS).optional(),
  Policies: z.string().min(1).max(4096).optional(),
  DataType: z.string().min(0).max(128).optional(),
});
type Input = z.infer<typeof input>;

/** PutParameter: creates a parameter or, with Overwrite, writes its next version. */
export const putParameter = defineOperation({
  service: 'AmazonSSM',
  name: 'PutParameter',
  action: 'ssm:PutParameter',
  input,
  mutating: true,
  // The name is checked in run(); a selector-looking name must not steer authorization elsewhere.
  resources: (i, ctx) => [storeOf(ctx).arn(i.Name.trim())],
  async run(i, ctx) {
    const store = storeOf(ctx);
    const name = validateParameterName(i.Name, scopeOf(ctx));
    assertUserWritable(parameterNameKey(name), 'ssm:PutParameter', ctx.caller.arn, store.arn(name));
    if (i.Tags?.length && i.Overwrite) {
      throw new ServiceError(
        'ValidationException',
        "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. " +
          'To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.',
      );
    }
    if (i.Tags && new Set(i.Tags.map((t) => t.Key)).size !== i.Tags.length) {
      throw new ServiceError('ValidationException', 'Tags must have distinct keys.');
    }
    // Checks that do not depend on the stored parameter fail before any transaction starts.
    if (i.AllowedPattern) compileAllowedPattern(i.AllowedPattern);
    if (i.KeyId) assertKeyIdShape(i.KeyId);
    const policies = i.Policies === undefined ? undefined : parseParameterPolicies(i.Policies, ctx.now);
    const defaultTier = i.Tier ? undefined : ((await serviceSettingValue(ctx.services.db, DEFAULT_PARAMETER_TIER_SETTING)) as RequestedTier);

    const { version, tier } = await store.put({
      name,
      tags: i.Tags,
      change: changeOf(ctx),
      build: (current) => nextVersion(i, name, current, policies, defaultTier),
    });
    return { Version: version, Tier: tier };
  },
});

/**
 * The new version's fields. What the request leaves out is kept from the
 * current version (description, pattern, key, policies, data type), so an
 * overwrite that only sends a value changes only the value (policies: see
 * nextVersionPolicies).
 */
function nextVersion(
  i: Input,
  name: string,
  current: ParameterRecord | undefined,
  policies: ParameterDraft['policies'] | undefined,
  defaultTier: RequestedTier | undefined,
): ParameterDraft {
  if (current && !i.Overwrite) {
    throw new ServiceError('ParameterAlreadyExists', `The parameter ${name} already exists. To overwrite this value, set the overwrite option in the request to true.`);
  }
  const type = i.Type ?? current?.type;
  if (!type) throw new ServiceError('ValidationException', 'A parameter type is required when you create a parameter.');
  if (i.KeyId && type !== 'SecureString') throw new ServiceError('ValidationException', 'KeyId is required for SecureString type parameter only.');

  const keyId = type === 'SecureString' ? (i.KeyId ?? current?.keyId ?? DEFAULT_KEY_ID) : null;
  const allowedPattern = i.AllowedPattern !== undefined ? i.AllowedPattern || null : (current?.allowedPattern ?? null);
  if (allowedPattern) assertMatchesAllowedPattern(allowedPattern, i.Value);
  const dataType = i.DataType || current?.dataType || 'text';
  assertDataType(dataType, type, i.Value);
  const keptPolicies = nextVersionPolicies(policies, current?.policies);
  const tier = resolveTier(i.Tier, current?.tier, i.Value.length, keptPolicies.length > 0, defaultTier);
  return {
    type,
    value: i.Value,
    keyId,
    description: i.Description !== undefined ? i.Description || null : (current?.description ?? null),
    allowedPattern,
    tier,
    dataType,
    policies: keptPolicies,
  };
}
