import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { validationError } from '../../../rpc/errors.js';
import { MAX_TAGS_PER_RESOURCE, tagListSchema } from '../../tags/tag-rules.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Systems Manager's bounds: 24 hours when not given, at most 30 days ahead. */
const DEFAULT_LIFETIME_MS = DAY_MS;
const MAX_LIFETIME_MS = 30 * DAY_MS;

const NAME_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

const input = z.object({
  Description: z.string().max(256).optional(),
  DefaultInstanceName: z.string().max(256).regex(NAME_CHARACTERS, 'Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$').optional(),
  // Kept as metadata: Tend has no roles to assume, but the API requires one and answers it back.
  IamRole: z.string().min(1).max(64),
  RegistrationLimit: z.number().int().min(1).max(1000).optional(),
  /** Epoch seconds, as the JSON protocol sends timestamps. */
  ExpirationDate: z.number().finite().optional(),
  // Capped at a node's tag limit, since every node registering with the activation receives them.
  // An empty list means no tags rather than a validation error.
  Tags: z.preprocess((v) => (Array.isArray(v) && v.length === 0 ? undefined : v), tagListSchema(MAX_TAGS_PER_RESOURCE).optional()),
  /** Reserved for internal use by Systems Manager; accepted and ignored. */
  RegistrationMetadata: z.array(z.object({ Key: z.string(), Value: z.string() })).max(100).optional(),
});

/**
 * CreateActivation: credentials (an id and a code) with which up to
 * RegistrationLimit machines register as managed nodes until the
 * expiration date. The code is in this answer only; Tend keeps its hash.
 */
export const createActivation = defineOperation({
  service: 'AmazonSSM',
  name: 'CreateActivation',
  action: 'ssm:CreateActivation',
  mutating: true,
  input,
  resources: () => [],
  async run(i, ctx) {
    const now = ctx.now.getTime();
    const expirationDate = i.ExpirationDate === undefined ? now + DEFAULT_LIFETIME_MS : Math.round(i.ExpirationDate * 1000);
    if (expirationDate <= now) throw validationError('ExpirationDate must be in the future');
    if (expirationDate > now + MAX_LIFETIME_MS) throw validationError('ExpirationDate can be at most 30 days in the future');
    const created = await ctx.services.activations.create(
      {
        description: i.Description,
        defaultInstanceName: i.DefaultInstanceName || undefined,
        iamRole: i.IamRole,
        registrationLimit: i.RegistrationLimit ?? 1,
        expirationDate,
        tags: i.Tags ?? [],
      },
      now,
    );
    return { ActivationId: created.activationId, ActivationCode: created.activationCode };
  },
});
