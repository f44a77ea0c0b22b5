import { ServiceError } from '../../rpc/errors.js';
import { assertMatchesAllowedPattern, compileAllowedPattern } from '../parameters/parameter-values.js';

/** Parameter types of schemaVersion 2.2 Command documents. */
export const DOCUMENT_PARAMETER_TYPES = ['String', 'StringList', 'Integer', 'Boolean', 'StringMap', 'MapList'] as const;
export type DocumentParameterType = (typeof DOCUMENT_PARAMETER_TYPES)[number];

/** Document parameter names: they become `SSM_<name>` environment variables, so only letters, digits and "_". */
export const PARAMETER_NAME = /^[A-Za-z0-9_]{1,128}$/;

/** A parameter as a Command document declares it. */
export interface ParameterSpec {
  name: string;
  type: DocumentParameterType;
  description?: string;
  /**
   * The default in the form SendCommand carries values (a list of strings),
   * so a default and a caller's value go through the same checks; absent
   * when the parameter is required.
   */
  defaultItems?: string[];
  allowedValues?: string[];
  allowedPattern?: string;
  minItems?: number;
  maxItems?: number;
  minChars?: number;
  maxChars?: number;
  /** `env` (interpolationType ENV_VAR): scripts get the value as `SSM_<name>`, never inside their text. */
  interpolation: 'text' | 'env';
}

/** A parameter's value once checked: its type decides the shape. */
export type ParameterValue = string | string[] | number | boolean | Record<string, unknown> | Record<string, unknown>[];

const SPEC_KEYS = new Set([
  'type',
  'description',
  'default',
  'allowedValues',
  'allowedPattern',
  'displayType',
  'minItems',
  'maxItems',
  'minChars',
  'maxChars',
  'interpolationType',
]);
/** ENV_VAR carries one line of text; a map or a list of maps has no such form. */
const ENV_VAR_TYPES: ReadonlySet<DocumentParameterType> = new Set(['String', 'StringList', 'Integer', 'Boolean']);
const LIST_TYPES: ReadonlySet<DocumentParameterType> = new Set(['StringList', 'MapList']);
const TEXT_TYPES: ReadonlySet<DocumentParameterType> = new Set(['String', 'StringList']);

/** What is wrong with a document, said at the path of the field at fault. */
export class ContentProblem extends Error {}

function problem(path: string, reason: string): ContentProblem {
  return new ContentProblem(`${path}: ${reason}`);
}

/** Reads one entry of a document's `parameters` map; throws ContentProblem naming the field. */
export function readParameterSpec(name: string, raw: unknown): ParameterSpec {
  const path = `parameters.${name}`;
  if (!PARAMETER_NAME.test(name)) throw problem(path, 'parameter names use only letters, digits and "_" (at most 128)');
  if (!isPlainObject(raw)) throw problem(path, 'must be a map with at least a type');
  for (const key of Object.keys(raw)) if (!SPEC_KEYS.has(key)) throw problem(`${path}.${key}`, 'is not a parameter attribute Tend knows');

  const type = raw.type;
  if (!DOCUMENT_PARAMETER_TYPES.includes(type as DocumentParameterType)) {
    throw problem(`${path}.type`, `must be one of ${DOCUMENT_PARAMETER_TYPES.join(', ')}`);
  }
  const spec: ParameterSpec = { name, type: type as DocumentParameterType, interpolation: 'text' };
  if (raw.description !== undefined) spec.description = textField(raw.description, `${path}.description`);
  if (raw.displayType !== undefined && raw.displayType !== 'textarea' && raw.displayType !== 'textfield') {
    throw problem(`${path}.displayType`, 'must be textarea or textfield');
  }
  if (raw.allowedValues !== undefined) {
    if (!Array.isArray(raw.allowedValues) || raw.allowedValues.length === 0 || !raw.allowedValues.every(isScalar)) {
      throw problem(`${path}.allowedValues`, 'must be a non-empty list of values');
    }
    spec.allowedValues = raw.allowedValues.map(String);
  }
  if (raw.allowedPattern !== undefined) {
    const pattern = textField(raw.allowedPattern, `${path}.allowedPattern`);
    try {
      compileAllowedPattern(wholeValuePattern(pattern));
    } catch {
      throw problem(`${path}.allowedPattern`, 'is not a valid regular expression');
    }
    spec.allowedPattern = pattern;
  }
  for (const key of ['minItems', 'maxItems', 'minChars', 'maxChars'] as const) {
    if (raw[key] === undefined) continue;
    const n = typeof raw[key] === 'string' && /^\d+$/.test(raw[key]) ? Number(raw[key]) : raw[key];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw problem(`${path}.${key}`, 'must be a whole number, 0 or more');
    const applies = key.endsWith('Items') ? LIST_TYPES.has(spec.type) : TEXT_TYPES.has(spec.type);
    if (!applies) throw problem(`${path}.${key}`, `does not apply to a ${spec.type} parameter`);
    spec[key] = n;
  }
  if (raw.interpolationType !== undefined) {
    if (raw.interpolationType !== 'ENV_VAR') throw problem(`${path}.interpolationType`, 'the only interpolation type is ENV_VAR');
    if (!ENV_VAR_TYPES.has(spec.type)) throw problem(`${path}.interpolationType`, `ENV_VAR does not apply to a ${spec.type} parameter`);
    spec.interpolation = 'env';
  }
  if (raw.default !== undefined) {
    spec.defaultItems = defaultItems(spec.type, raw.default, `${path}.default`);
    // A literal default is checked now; one read from Parameter Store can only be checked when a command is sent.
    if (!spec.defaultItems.some((item) => item.includes('{{'))) {
      const checked = checkParameterValue(spec, spec.defaultItems, { undecidedPattern: 'accept' });
      if ('problem' in checked) throw problem(`${path}.default`, checked.problem);
    }
  }
  return spec;
}

/** A default as a list of strings, from the native YAML/JSON value a document writes. */
function defaultItems(type: DocumentParameterType, value: unknown, path: string): string[] {
  // Any type may take its default from Parameter Store: "{{ssm:/name}}".
  if (typeof value === 'string' && /^\s*\{\{\s*ssm:/.test(value)) return [value];
  switch (type) {
    case 'String':
      if (isScalar(value)) return [String(value)];
      break;
    case 'StringList':
      if (Array.isArray(value) && value.every(isScalar)) return value.map(String);
      if (typeof value === 'string') return value === '' ? [] : [value];
      break;
    case 'Integer':
      if ((typeof value === 'number' && Number.isSafeInteger(value)) || (typeof value === 'string' && /^-?\d+$/.test(value))) return [String(value)];
      break;
    case 'Boolean':
      if (typeof value === 'boolean' || value === 'true' || value === 'false') return [String(value)];
      break;
    case 'StringMap':
      if (isPlainObject(value)) return [JSON.stringify(value)];
      break;
    case 'MapList':
      if (Array.isArray(value) && value.every(isPlainObject)) return [JSON.stringify(value)];
      break;
  }
  throw problem(path, `is not a ${type} value`);
}

/**
 * Turns a parameter's values (SendCommand's list of strings, or a default)
 * into its typed value and checks every constraint the document sets.
 * Problems name the parameter and the rule, never the value: it may be a secret.
 * `undecidedPattern: 'accept'` lets a value whose pattern check ran out of
 * time through (a document's default: it is checked again at send time).
 */
export function checkParameterValue(
  spec: ParameterSpec,
  items: string[],
  options: { undecidedPattern: 'accept' | 'refuse' } = { undecidedPattern: 'refuse' },
): { value: ParameterValue } | { problem: string } {
  const one = (): string | { problem: string } =>
    items.length === 1 ? items[0]! : { problem: `a ${spec.type} parameter takes exactly one value, ${items.length} given` };
  let value: ParameterValue;
  let texts: string[];
  switch (spec.type) {
    case 'String': {
      const item = one();
      if (typeof item !== 'string') return item;
      value = item;
      texts = [item];
      break;
    }
    case 'StringList':
      value = items;
      texts = items;
      break;
    case 'Integer': {
      const item = one();
      if (typeof item !== 'string') return item;
      const n = Number(item.trim());
      if (!/^-?\d+$/.test(item.trim()) || !Number.isSafeInteger(n)) return { problem: 'must be an integer' };
      value = n;
      texts = [String(n)];
      break;
    }
    case 'Boolean': {
      const item = one();
      if (typeof item !== 'string') return item;
      if (item !== 'true' && item !== 'false') return { problem: 'must be true or false' };
      value = item === 'true';
      texts = [item];
      break;
    }
    case 'StringMap': {
      const item = one();
      if (typeof item !== 'string') return item;
      const parsed = parseJson(item);
      if (!isPlainObject(parsed)) return { problem: 'must be a JSON object (a map of strings)' };
      value = parsed;
      texts = [];
      break;
    }
    case 'MapList': {
      const parsed = items.length === 1 ? parseJson(items[0]!) : undefined;
      const maps = Array.isArray(parsed) ? parsed : items.map(parseJson);
      if (!maps.every(isPlainObject)) return { problem: 'must be a JSON list of maps, or one JSON map per value' };
      value = maps as Record<string, unknown>[];
      texts = [];
      break;
    }
  }
  const count = Array.isArray(value) ? value.length : 1;
  if (spec.minItems !== undefined && count < spec.minItems) return { problem: `needs at least ${spec.minItems} item(s), ${count} given` };
  if (spec.maxItems !== undefined && count > spec.maxItems) return { problem: `takes at most ${spec.maxItems} item(s), ${count} given` };
  for (const text of texts) {
    if (spec.minChars !== undefined && text.length < spec.minChars) return { problem: `must be at least ${spec.minChars} characters long` };
    if (spec.maxChars !== undefined && text.length > spec.maxChars) return { problem: `must be at most ${spec.maxChars} characters long` };
    if (spec.allowedValues && !spec.allowedValues.includes(text)) return { problem: `must be one of the allowed values: ${spec.allowedValues.join(', ')}` };
    const match = spec.allowedPattern === undefined ? 'match' : matchesWhole(spec.allowedPattern, text);
    if (match === 'mismatch') return { problem: `does not match its allowedPattern ${spec.allowedPattern}` };
    if (match === 'undecided' && options.undecidedPattern === 'refuse') {
      return { problem: `could not be checked against its allowedPattern in time: the pattern is too slow to evaluate, simplify it` };
    }
  }
  return { value };
}

/**
 * An allowedPattern must match the whole value, not a part of it. Systems
 * Manager's own documents rely on this (AWS-RunShellScript's timeout
 * pattern has no anchors), and it is the safe reading: `[a-z]+` must not
 * let "a; rm -rf /" through because "a" matches.
 */
function wholeValuePattern(pattern: string): string {
  return `^(?:${pattern})$`;
}

/**
 * Runs the shared matcher, whose time limit keeps a pattern that backtracks
 * badly from stalling the server. The limit is wall-clock time, so a busy
 * machine can exhaust it on a harmless pattern: a timeout is retried once,
 * and never reported as a mismatch.
 */
function matchesWhole(pattern: string, text: string): 'match' | 'mismatch' | 'undecided' {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      assertMatchesAllowedPattern(wholeValuePattern(pattern), text);
      return 'match';
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      if (err.type === 'ParameterPatternMismatchException') return 'mismatch';
    }
  }
  return 'undecided';
}

/** The typed value as text, where a reference sits inside a longer string. */
export function valueAsText(value: ParameterValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  // A StringList reads as Parameter Store writes one: items joined by commas.
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(',');
  return JSON.stringify(value);
}

/** DocumentParameter.DefaultValue: the default as one string. */
export function defaultValueText(spec: ParameterSpec): string | undefined {
  if (!spec.defaultItems) return undefined;
  if (spec.type === 'StringList') return spec.defaultItems.length === 0 ? '' : JSON.stringify(spec.defaultItems);
  return spec.defaultItems[0];
}

function textField(value: unknown, path: string): string {
  if (typeof value !== 'string') throw problem(path, 'must be a string');
  return value;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
