import { z } from 'zod';
import { ServiceError } from '../../../rpc/errors.js';
import type { OperationContext } from '../../../rpc/operation.js';
import { assertUserWritable, parseParameterReference, type ArnScope, type ParameterReference } from '../parameter-names.js';
import type { ChangeContext, ParametersStore } from '../parameters.store.js';

/** A parameter name as the API takes it (names with their ARN prefix are checked later). */
export const parameterNameField = z.string().min(1).max(2048);

export const nextTokenField = z.string().min(1).max(4096).optional();

export function maxResultsField(max: number) {
  return z.number().int().min(1).max(max).optional();
}

export function storeOf(ctx: OperationContext): ParametersStore {
  return ctx.services.parameters;
}

export function scopeOf(ctx: OperationContext): ArnScope {
  return { region: ctx.services.config.region, accountId: ctx.services.config.accountId };
}

/** Who changes and when: the caller's ARN and the request's time. */
export function changeOf(ctx: OperationContext): ChangeContext {
  return { user: ctx.caller.arn, at: ctx.now.getTime() };
}

/**
 * ARN a request names, for authorization. Best effort on purpose: a name
 * that does not parse still yields an ARN to check, and the operation
 * itself reports the bad name.
 */
export function arnForName(ctx: OperationContext, raw: string): string {
  try {
    return storeOf(ctx).arn(parseParameterReference(raw, scopeOf(ctx)).name);
  } catch {
    return storeOf(ctx).arn(raw.trim());
  }
}

export function parameterNotFound(name: string): ServiceError {
  return new ServiceError('ParameterNotFound', `Parameter ${name} not found.`);
}

/** Resolves one name (or ARN) with an optional selector to its version, or throws the AWS error. */
export async function readReference(ctx: OperationContext, raw: string, withDecryption: boolean) {
  const ref: ParameterReference = parseParameterReference(raw, scopeOf(ctx));
  const found = await storeOf(ctx).find(ref.nameKey, ref.selector);
  if ('missing' in found) {
    if (found.missing === 'ParameterNotFound') throw parameterNotFound(ref.name);
    throw new ServiceError('ParameterVersionNotFound', `Systems Manager could not find version ${ref.selectorText?.slice(1)} of ${ref.name}.`);
  }
  return { ref, record: found.record, value: storeOf(ctx).reveal(found.record, withDecryption) };
}

/**
 * The parameter a write names (a name or ARN, never a selector), refused
 * under /tend/ where the service's own parameters live.
 */
export function writableReference(ctx: OperationContext, raw: string, action: string): ParameterReference {
  const ref = parseParameterReference(raw, scopeOf(ctx), { allowSelector: false });
  assertUserWritable(ref.nameKey, action, ctx.caller.arn, storeOf(ctx).arn(ref.name));
  return ref;
}
