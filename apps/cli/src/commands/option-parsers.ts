import type { Tag } from '@aws-sdk/client-ssm';
import { CliError } from '../errors.js';

/** Commander argument parser for a repeatable option: every occurrence is kept, in order. */
export function repeatable(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * `key=value` as an API tag. Only the first `=` splits, so values may contain
 * `=`; an empty value is allowed (the API allows it), an empty key is not.
 * `source` names where the text came from in the error (`--tag`, an argument).
 */
export function parseTag(text: string, source = '--tag'): Tag {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new CliError('InvalidTag', `${source} takes key=value, got "${text}"`);
  return { Key: text.slice(0, eq), Value: text.slice(eq + 1) };
}

/** A flag's value as a whole number ≥ 1, or a CliError naming the flag. */
export function positiveInteger(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new CliError('ValidationException', `${flag} takes a positive whole number; got "${text}"`);
  return n;
}
