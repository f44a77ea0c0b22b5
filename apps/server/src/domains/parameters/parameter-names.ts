import { ServiceError } from '../../rpc/errors.js';

/**
 * Identity of a parameter name. Systems Manager treats a top-level name with
 * and without its leading slash as the same parameter ("/a" is "a"), so the
 * stored key drops that slash; hierarchical names keep theirs.
 */
export function parameterNameKey(name: string): string {
  return name.startsWith('/') && name.indexOf('/', 1) === -1 ? name.slice(1) : name;
}

/** `arn:aws:ssm:<region>:<account>:parameter/<name without leading slash>`. */
export function parameterArn(region: string, accountId: string, name: string): string {
  return `arn:aws:ssm:${region}:${accountId}:parameter/${name.replace(/^\//, '')}`;
}

/** The hierarchy a parameter sits directly in: "/app/dev" for "/app/dev/db", "/" for top-level names. */
export function parameterParentPath(nameKey: string): string {
  const last = nameKey.lastIndexOf('/');
  return last <= 0 ? '/' : nameKey.slice(0, last);
}

/** Deepest hierarchy Systems Manager allows, counting the name's own segment. */
export const MAX_HIERARCHY_LEVELS = 15;
/** The name limit counts the ARN prefix ("arn:aws:ssm:<region>:<account>:parameter/") too. */
export const MAX_ARN_LENGTH = 1011;

const NAME_RULES =
  'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it must begin with "/" and ' +
  'consist of sub-paths divided by "/"; each sub-path can be formed as a mix of letters, numbers and the symbols .-_';
const NAME_CHARS = /^[a-zA-Z0-9_.\-/]+$/;

export interface ArnScope {
  region: string;
  accountId: string;
}

/** Names under /tend/ belong to the service (its public read-only parameters); users may not write them. */
export function isServiceReservedName(nameKey: string): boolean {
  return nameKey.toLowerCase().startsWith('/tend/');
}

/** Refuses writes and deletes under /tend/ the way IAM would refuse an unauthorized call. */
export function assertUserWritable(nameKey: string, action: string, callerArn: string, arn: string): void {
  if (isServiceReservedName(nameKey)) {
    throw new ServiceError(
      'AccessDeniedException',
      `User: ${callerArn} is not authorized to perform: ${action} on resource: ${arn} because names under /tend/ are reserved for the service`,
    );
  }
}

/**
 * Checks a name given to PutParameter and returns it without the spaces
 * Systems Manager strips from its ends. Reads skip this: a name that could
 * never be created is simply not found.
 */
export function validateParameterName(raw: string, scope: ArnScope): string {
  const name = raw.trim();
  if (!NAME_CHARS.test(name)) throw new ServiceError('ValidationException', NAME_RULES);
  if (/^\/?(aws|ssm)/i.test(name)) throw new ServiceError('ValidationException', NAME_RULES);
  if (name.includes('/')) {
    if (!name.startsWith('/')) throw new ServiceError('ValidationException', 'Parameter name must be a fully qualified name.');
    if (name.slice(1).split('/').some((segment) => segment === '')) throw new ServiceError('ValidationException', NAME_RULES);
    if (name.slice(1).split('/').length > MAX_HIERARCHY_LEVELS) {
      throw new ServiceError('HierarchyLevelLimitExceededException', `A hierarchy can have a maximum of ${MAX_HIERARCHY_LEVELS} levels.`);
    }
  }
  if (parameterArn(scope.region, scope.accountId, name).length > MAX_ARN_LENGTH) {
    throw new ServiceError(
      'ValidationException',
      `Parameter name is too long: with its ARN prefix it must be at most ${MAX_ARN_LENGTH} characters.`,
    );
  }
  return name;
}

/**
 * Checks a hierarchy given to GetParametersByPath or a Path filter and
 * returns it without trailing slashes ("/" stays "/"). The error type is
 * the caller's: a bad Path filter is an InvalidFilterValue, a bad Path input
 * a ValidationException.
 */
export function normalizeHierarchyPath(raw: string, invalid: (message: string) => ServiceError): string {
  const text = raw.trim();
  if (!text.startsWith('/') || !NAME_CHARS.test(text)) {
    throw invalid(`The path ${JSON.stringify(text)} is not valid: it must begin with "/" and use only letters, numbers, ".", "-", "_" and "/".`);
  }
  const path = text.replace(/\/+$/, '') || '/';
  if (path !== '/') {
    const segments = path.slice(1).split('/');
    if (segments.some((segment) => segment === '')) throw invalid(`The path ${JSON.stringify(text)} has an empty segment.`);
    if (segments.length > MAX_HIERARCHY_LEVELS) {
      throw new ServiceError('HierarchyLevelLimitExceededException', `A hierarchy can have a maximum of ${MAX_HIERARCHY_LEVELS} levels.`);
    }
  }
  return path;
}

export type VersionSelector = { version: number } | { label: string };

export interface ParameterReference {
  /** The name as written, without ARN prefix or selector. */
  name: string;
  nameKey: string;
  selector?: VersionSelector;
  /** ":3" or ":prod", echoed back as Parameter.Selector. */
  selectorText?: string;
}

const ARN_REFERENCE = /^arn:aws:ssm:([a-z0-9-]+):(\d{12}):parameter\/(.+)$/;

/**
 * Parses what read operations accept: a name or this account's parameter
 * ARN, optionally followed by ":<version>" or ":<label>". Names cannot hold
 * a colon, so the first one after the ARN starts the selector.
 */
export function parseParameterReference(raw: string, scope: ArnScope, options: { allowSelector: boolean } = { allowSelector: true }): ParameterReference {
  let text = raw.trim();
  const arn = ARN_REFERENCE.exec(text);
  if (arn) {
    if (arn[1] !== scope.region || arn[2] !== scope.accountId) {
      throw new ServiceError('ParameterNotFound', `Parameter ${text} not found: it belongs to another region or account.`);
    }
    const rest = arn[3]!;
    const bare = rest.split(':')[0]!;
    // The ARN drops a hierarchical name's leading slash; put it back.
    text = (bare.includes('/') ? `/${bare}` : bare) + rest.slice(bare.length);
  }
  const colon = text.indexOf(':');
  if (colon === -1) return { name: text, nameKey: parameterNameKey(text) };
  const name = text.slice(0, colon);
  const selectorText = text.slice(colon + 1);
  if (!options.allowSelector) {
    throw new ServiceError('ValidationException', 'This operation does not accept a version or label selector in the parameter name.');
  }
  if (!name || !selectorText || selectorText.includes(':')) {
    throw new ServiceError('ValidationException', `Invalid parameter selector in ${JSON.stringify(text)}: use name:version or name:label.`);
  }
  const selector: VersionSelector = /^\d+$/.test(selectorText) ? { version: Number(selectorText) } : { label: selectorText };
  return { name, nameKey: parameterNameKey(name), selector, selectorText: `:${selectorText}` };
}

/** Label rules: 1-100 of a-zA-Z0-9_.-, not starting with a digit or with aws/ssm in any case. */
export function isValidLabel(label: string): boolean {
  return label.length >= 1 && label.length <= 100 && /^[a-zA-Z0-9_.-]+$/.test(label) && !/^\d/.test(label) && !/^(aws|ssm)/i.test(label);
}
