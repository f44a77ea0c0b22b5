import vm from 'node:vm';
import { ServiceError } from '../../rpc/errors.js';

export const PARAMETER_TYPES = ['String', 'StringList', 'SecureString'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];
export const REQUESTED_TIERS = ['Standard', 'Advanced', 'Intelligent-Tiering'] as const;
export type RequestedTier = (typeof REQUESTED_TIERS)[number];
/** Intelligent-Tiering is a request, never a stored tier. */
export type StoredTier = 'Standard' | 'Advanced';
export const DATA_TYPES = ['text', 'aws:ec2:image'] as const;

export const DEFAULT_KEY_ID = 'alias/aws/ssm';
export const VALUE_LIMITS: Record<StoredTier, number> = { Standard: 4096, Advanced: 8192 };

/**
 * Which tier a write lands in. Advanced never goes back to Standard (its
 * values and policies would not fit), so a parameter that is Advanced stays
 * Advanced unless the caller explicitly asks for Standard, which is refused.
 * A write without Tier uses the account's default tier (the
 * /ssm/parameter-store/default-parameter-tier service setting); the default
 * Standard keeps an Advanced parameter Advanced rather than refusing.
 */
export function resolveTier(
  requestedTier: RequestedTier | undefined,
  current: StoredTier | undefined,
  valueLength: number,
  hasPolicies: boolean,
  defaultTier: RequestedTier = 'Standard',
): StoredTier {
  const requested = requestedTier ?? (defaultTier === 'Standard' ? undefined : defaultTier);
  let tier: StoredTier;
  if (requested === 'Advanced') tier = 'Advanced';
  else if (requested === 'Intelligent-Tiering') {
    tier = current === 'Advanced' || valueLength > VALUE_LIMITS.Standard || hasPolicies ? 'Advanced' : 'Standard';
  } else if (requested === 'Standard') {
    if (current === 'Advanced') {
      throw new ServiceError(
        'ValidationException',
        "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, delete the advanced parameter and recreate it as a standard parameter.",
      );
    }
    tier = 'Standard';
  } else tier = current ?? 'Standard';

  if (hasPolicies && tier !== 'Advanced') {
    throw new ServiceError('ValidationException', 'Parameter policies are supported only for the advanced-parameter tier. Set Tier to Advanced or Intelligent-Tiering.');
  }
  if (valueLength > VALUE_LIMITS[tier]) {
    throw new ServiceError(
      'ValidationException',
      tier === 'Standard'
        ? `Standard tier parameters support a maximum parameter value of ${VALUE_LIMITS.Standard} characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.`
        : `Advanced tier parameters support a maximum parameter value of ${VALUE_LIMITS.Advanced} characters.`,
    );
  }
  return tier;
}

/** Compiles an AllowedPattern, refusing one JavaScript cannot read. */
export function compileAllowedPattern(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch {
    throw new ServiceError('InvalidAllowedPatternException', 'The allowed pattern is not a valid regular expression.');
  }
}

// A user's pattern against a value up to 8 KB can backtrack for minutes; a
// vm time limit interrupts the match instead of freezing the server.
const patternScript = new vm.Script('pattern.test(value)');
const patternContext = vm.createContext({ pattern: /$/, value: '' });
// Generous: a busy machine can deschedule even a trivial match for tens of milliseconds.
const PATTERN_TIME_LIMIT_MS = 1000;

/**
 * Tests the value against the pattern (search semantics, like RegExp.test:
 * anchor with ^ and $ to match the whole value). The message never holds
 * the value, which may be a secret.
 */
export function assertMatchesAllowedPattern(pattern: string, value: string): void {
  const regex = compileAllowedPattern(pattern);
  let matched: boolean;
  try {
    patternContext.pattern = regex;
    patternContext.value = value;
    matched = patternScript.runInContext(patternContext, { timeout: PATTERN_TIME_LIMIT_MS }) === true;
  } catch {
    throw new ServiceError('InvalidAllowedPatternException', 'The allowed pattern takes too long to evaluate; simplify it.');
  } finally {
    patternContext.value = '';
  }
  if (!matched) throw new ServiceError('ParameterPatternMismatchException', `Parameter value, cannot be validated against allowedPattern: ${pattern}`);
}

/** `aws:ec2:image` values must look like an AMI id; `text` takes anything. */
export function assertDataType(dataType: string, type: ParameterType, value: string): void {
  if (!(DATA_TYPES as readonly string[]).includes(dataType)) {
    throw new ServiceError('ValidationException', `The data type ${dataType} is not supported. Supported data types: ${DATA_TYPES.join(', ')}.`);
  }
  if (dataType === 'aws:ec2:image') {
    if (type !== 'String') throw new ServiceError('ValidationException', 'The aws:ec2:image data type is supported only for String parameters.');
    if (!/^ami-([0-9a-f]{8}|[0-9a-f]{17})$/.test(value)) {
      throw new ServiceError('ValidationException', 'Parameter value for the aws:ec2:image data type must be an AMI id such as ami-0123456789abcdef0.');
    }
  }
}

/**
 * Tend encrypts with its own master key; KeyId is kept as the label a KMS
 * user expects to see, so only its shape is checked.
 */
export function assertKeyIdShape(keyId: string): void {
  const shapes = [
    /^alias\/[a-zA-Z0-9:/_-]+$/,
    /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
    /^mrk-[0-9a-f]{32}$/,
    /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[a-zA-Z0-9:/_-]+$/,
  ];
  if (!shapes.some((shape) => shape.test(keyId))) throw new ServiceError('InvalidKeyId', `The key id ${keyId} is not a valid KMS key id, alias or ARN.`);
}

export const POLICY_TYPES = ['Expiration', 'ExpirationNotification', 'NoChangeNotification'] as const;
export type PolicyType = (typeof POLICY_TYPES)[number];
const MAX_POLICIES = 10;

/**
 * One parameter policy as stored: the type Parameter Store reports, the
 * caller's JSON text of it, and what became of it. No status is Pending;
 * `Finished` once its action was taken, `Failed` (with the reason) when it
 * could not be.
 */
export interface StoredPolicy {
  type: PolicyType;
  text: string;
  status?: 'Finished' | 'Failed';
  reason?: string;
}

/**
 * Reads the Policies JSON array of PutParameter. Every policy is checked
 * (type, version 1.0, attributes) so a stored policy is always one Tend
 * could act on; an empty array (or Systems Manager's "[{}]") clears the policies.
 */
export function parseParameterPolicies(text: string, now: Date): StoredPolicy[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ServiceError('InvalidPolicyTypeException', 'Policies must be a JSON array of parameter policies.');
  }
  if (!Array.isArray(json)) throw new ServiceError('InvalidPolicyTypeException', 'Policies must be a JSON array of parameter policies.');
  // Systems Manager's documented way to remove every policy is "[{}]": empty objects stand for no policy.
  const items = json.filter((item: unknown) => !(item !== null && typeof item === 'object' && !Array.isArray(item) && Object.keys(item).length === 0));
  if (items.length > MAX_POLICIES) throw new ServiceError('PoliciesLimitExceededException', `A parameter can have at most ${MAX_POLICIES} policies.`);

  const seen = new Set<string>();
  const policies = items.map((item): StoredPolicy => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw new ServiceError('InvalidPolicyTypeException', 'Each parameter policy must be a JSON object with Type, Version and Attributes.');
    }
    const { Type, Version, Attributes } = item as Record<string, unknown>;
    if (typeof Type !== 'string' || !(POLICY_TYPES as readonly string[]).includes(Type)) {
      throw new ServiceError('InvalidPolicyTypeException', `The policy type ${String(Type)} is not supported. Supported types: ${POLICY_TYPES.join(', ')}.`);
    }
    const type = Type as StoredPolicy['type'];
    if (Version !== '1.0') throw new ServiceError('InvalidPolicyAttributeException', `The ${type} policy must have Version "1.0".`);
    if (Attributes === null || typeof Attributes !== 'object' || Array.isArray(Attributes)) {
      throw new ServiceError('InvalidPolicyAttributeException', `The ${type} policy needs an Attributes object.`);
    }
    checkPolicyAttributes(type, Attributes as Record<string, unknown>, now);
    if (seen.has(type)) throw new ServiceError('IncompatiblePolicyException', `A parameter can have only one ${type} policy.`);
    seen.add(type);
    return { type, text: JSON.stringify(item) };
  });
  if (seen.has('ExpirationNotification') && !seen.has('Expiration')) {
    throw new ServiceError('IncompatiblePolicyException', 'An ExpirationNotification policy needs an Expiration policy on the same parameter.');
  }
  return policies;
}

function checkPolicyAttributes(type: StoredPolicy['type'], attributes: Record<string, unknown>, now: Date): void {
  const bad = (message: string) => new ServiceError('InvalidPolicyAttributeException', `The ${type} policy: ${message}`);
  if (type === 'Expiration') {
    const stamp = attributes.Timestamp;
    const at = typeof stamp === 'string' ? Date.parse(stamp) : NaN;
    if (Number.isNaN(at)) throw bad('Attributes.Timestamp must be an ISO 8601 date and time.');
    if (at <= now.getTime()) throw bad('Attributes.Timestamp must be in the future.');
    return;
  }
  const countName = type === 'ExpirationNotification' ? 'Before' : 'After';
  const count = attributes[countName];
  if (!(typeof count === 'string' || typeof count === 'number') || !/^[1-9]\d{0,5}$/.test(String(count))) {
    throw bad(`Attributes.${countName} must be a positive whole number.`);
  }
  if (attributes.Unit !== 'Days' && attributes.Unit !== 'Hours') throw bad('Attributes.Unit must be Days or Hours.');
}
