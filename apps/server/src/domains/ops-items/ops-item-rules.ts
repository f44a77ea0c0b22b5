import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ServiceError } from '../../rpc/errors.js';
import type { ArnScope } from '../tags/tag-resource-types.js';

/** `resource_tags.resource_type` of OpsItems' tags (Systems Manager's tagging type). */
export const OPS_ITEM_TAG_RESOURCE = 'OpsItem';

/** The type of an OpsItem created without one: OpsCenter's default. */
export const DEFAULT_OPS_ITEM_TYPE = '/aws/issue';

/** The OperationalData key whose `{"dedupString": "…"}` value keeps one open OpsItem per string. */
export const DEDUP_KEY = '/aws/dedup';

/** Every status Systems Manager defines for an OpsItem (OpsItemStatus). */
export const OPS_ITEM_STATUSES = [
  'Open',
  'InProgress',
  'Resolved',
  'Pending',
  'TimedOut',
  'Cancelling',
  'Cancelled',
  'Failed',
  'CompletedWithSuccess',
  'CompletedWithFailure',
  'Scheduled',
  'RunbookInProgress',
  'PendingChangeCalendarOverride',
  'ChangeCalendarOverrideApproved',
  'ChangeCalendarOverrideRejected',
  'PendingApproval',
  'Approved',
  'Rejected',
  'Closed',
  'Revoked',
] as const;

/**
 * Statuses after which the work an item stands for is over. An item in one
 * of them no longer deduplicates: the same problem seen again deserves a new
 * ticket rather than a reply on a closed one.
 */
export const FINISHED_STATUSES: ReadonlySet<string> = new Set([
  'Resolved',
  'Closed',
  'Cancelled',
  'Failed',
  'CompletedWithSuccess',
  'CompletedWithFailure',
  'Rejected',
  'TimedOut',
  'Revoked',
]);

// The model's patterns: one-line fields must not be blank ("^(?!\s*$).+", where "." stops at a line break).
const ONE_LINE = /^(?!\s*$)[^\n\r\u0085\u2028\u2029]+$/;
const oneLine = (max: number) => z.string().min(1).max(max).regex(ONE_LINE, 'Member must satisfy regular expression pattern: ^(?!\\s*$).+');

export const opsItemIdSchema = z.string().regex(/^(oi)-[0-9a-f]{12}$/, 'Member must satisfy regular expression pattern: ^(oi)-[0-9a-f]{12}$');
export const titleSchema = oneLine(1024);
export const descriptionSchema = z.string().min(1).max(2048).regex(/\S/, 'Member must satisfy regular expression pattern: [\\s\\S]*\\S[\\s\\S]*');
export const sourceSchema = oneLine(128);
export const categorySchema = oneLine(64);
export const severitySchema = oneLine(64);
export const prioritySchema = z.number().int().min(1).max(5);
export const statusSchema = z.enum(OPS_ITEM_STATUSES);
/** AWS JSON timestamps: epoch seconds. */
export const timestampSchema = z.number().finite();
export const opsItemArnSchema = z.string().min(20).max(2048).regex(/^arn:(aws[a-zA-Z-]*)?:ssm:[a-z0-9-.]{0,63}:[0-9]{12}:opsitem.*$/, 'Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:ssm:[a-z0-9-\\.]{0,63}:[0-9]{12}:opsitem.*');

export const operationalDataSchema = z.record(
  z.string().min(1).max(128).regex(/^(?!\s*$).+$/, 'Member must satisfy regular expression pattern: ^(?!\\s*$).+'),
  z.object({ Value: z.string().regex(/\S/, 'Member must satisfy regular expression pattern: [\\s\\S]*\\S[\\s\\S]*').optional(), Type: z.enum(['SearchableString', 'String']).optional() }),
);
export type OperationalData = z.infer<typeof operationalDataSchema>;

export const notificationsSchema = z.array(z.object({ Arn: z.string().min(1).max(2048) })).max(10);
export const relatedOpsItemsSchema = z.array(z.object({ OpsItemId: opsItemIdSchema })).max(10);

/** The OpsItem errors carry the names of the members at fault, as Systems Manager's do. */
export function invalidOpsItemParameter(parameterNames: string[], message: string): ServiceError {
  return new ServiceError('OpsItemInvalidParameterException', message, { ParameterNames: parameterNames });
}

export function opsItemNotFound(opsItemId: string): ServiceError {
  return new ServiceError('OpsItemNotFoundException', `OpsItem with id ${opsItemId} does not exist.`);
}

export function opsItemAlreadyExists(existingId: string, dedupString: string): ServiceError {
  return new ServiceError('OpsItemAlreadyExistsException', `An open OpsItem with the same deduplication string (${JSON.stringify(dedupString)}) already exists: ${existingId}.`, {
    OpsItemId: existingId,
  });
}

export function newOpsItemId(): string {
  return `oi-${randomBytes(6).toString('hex')}`;
}

export function opsItemArn(scope: ArnScope, opsItemId: string): string {
  return `arn:aws:ssm:${scope.region}:${scope.accountId}:opsitem/${opsItemId}`;
}

// Key prefixes Systems Manager keeps for itself; the documented /aws/ keys below are the way in.
const RESERVED_KEY_PREFIX = /^\/?(amazon|aws|amzn|ssm)/i;
const DOCUMENTED_AWS_KEYS = new Set([DEDUP_KEY, '/aws/resources', '/aws/automations']);
const MAX_VALUE_BYTES = 20 * 1024;

/**
 * Checks OperationalData beyond its shape: reserved key prefixes, the 20 KB
 * value limit, and a well-formed `/aws/dedup` value.
 */
export function checkOperationalData(data: OperationalData): void {
  for (const [key, entry] of Object.entries(data)) {
    if (RESERVED_KEY_PREFIX.test(key) && !DOCUMENTED_AWS_KEYS.has(key)) {
      throw invalidOpsItemParameter(['OperationalData'], `OperationalData key ${key} is reserved: keys can't begin with amazon, aws, amzn, ssm, /amazon, /aws, /amzn or /ssm (except ${[...DOCUMENTED_AWS_KEYS].join(', ')}).`);
    }
    if (entry.Value === undefined) throw invalidOpsItemParameter(['OperationalData'], `OperationalData ${key} has no Value.`);
    if (Buffer.byteLength(entry.Value, 'utf8') > MAX_VALUE_BYTES) {
      throw invalidOpsItemParameter(['OperationalData'], `The value of OperationalData ${key} is larger than 20 KB.`);
    }
  }
  dedupStringOf(data);
}

/** The dedup string an item's OperationalData names, if any; a malformed `/aws/dedup` value is refused. */
export function dedupStringOf(data: OperationalData): string | undefined {
  const entry = data[DEDUP_KEY];
  if (!entry?.Value) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(entry.Value);
  } catch {
    parsed = undefined;
  }
  const dedupString = (parsed as { dedupString?: unknown } | undefined)?.dedupString;
  if (typeof dedupString !== 'string' || dedupString.trim() === '') {
    throw invalidOpsItemParameter(['OperationalData'], `The value of ${DEDUP_KEY} must be JSON of the form {"dedupString":"…"} with a non-blank string.`);
  }
  return dedupString;
}

/** Source may not pass itself off as an AWS service. */
export function checkSource(source: string): void {
  if (/aws|amazon|amzn/i.test(source)) throw invalidOpsItemParameter(['Source'], "Source can't contain aws, amazon or amzn.");
}

/** OpsCenter ranks severity 1 (critical) to 4 (low). */
export function checkSeverity(severity: string | undefined): void {
  if (severity !== undefined && !/^[1-4]$/.test(severity)) throw invalidOpsItemParameter(['Severity'], 'Severity must be 1, 2, 3 or 4.');
}

/** An epoch-seconds timestamp as stored (milliseconds). */
export function storedTime(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : Math.round(seconds * 1000);
}
