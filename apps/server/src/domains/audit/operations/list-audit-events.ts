import { z } from 'zod';
import { ServiceError, validationError } from '../../../rpc/errors.js';
import { defineOperation } from '../../../rpc/operation.js';
import type { AuditEvent } from '../audit.store.js';
import { decodePageToken, encodePageToken } from '../../../rpc/page-token.js';

const FILTER_KEYS = ['PrincipalArn', 'Operation', 'Outcome'] as const;

const input = z.object({
  StartTime: z.number().nonnegative().optional(),
  EndTime: z.number().nonnegative().optional(),
  Filters: z
    .array(z.object({ Key: z.enum(FILTER_KEYS), Values: z.array(z.string().min(1).max(2048)).min(1).max(20) }))
    .max(FILTER_KEYS.length)
    .optional(),
  MaxResults: z.number().int().min(1).max(100).optional(),
  NextToken: z.string().min(1).max(1024).optional(),
});

/**
 * ListAuditEvents: the audit log of state-changing calls, newest first.
 * Values within one filter are alternatives; different filters must all hold.
 */
export const listAuditEvents = defineOperation({
  service: 'Tend',
  name: 'ListAuditEvents',
  action: 'tend:ListAuditEvents',
  mutating: false,
  input,
  resources: () => [],
  async run(input, ctx) {
    const filters = filterValues(input.Filters ?? []);
    if (input.StartTime !== undefined && input.EndTime !== undefined && input.StartTime > input.EndTime) {
      throw validationError('StartTime must not be later than EndTime');
    }
    const limit = input.MaxResults ?? 50;
    // One row more than asked tells whether another page exists, so the last page carries no NextToken.
    const rows = await ctx.services.audit.list({
      startTime: input.StartTime === undefined ? undefined : Math.ceil(input.StartTime * 1000),
      endTime: input.EndTime === undefined ? undefined : Math.floor(input.EndTime * 1000),
      principalArns: filters.PrincipalArn,
      operations: filters.Operation,
      outcomes: filters.Outcome,
      beforeId: decodeNextToken(input.NextToken),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    return {
      AuditEvents: page.map(eventShape),
      ...(rows.length > limit ? { NextToken: encodePageToken({ before: page[page.length - 1]!.eventId }) } : {}),
    };
  },
});

function filterValues(filters: { Key: (typeof FILTER_KEYS)[number]; Values: string[] }[]): Partial<Record<(typeof FILTER_KEYS)[number], string[]>> {
  const byKey: Partial<Record<(typeof FILTER_KEYS)[number], string[]>> = {};
  for (const f of filters) {
    if (byKey[f.Key]) throw validationError(`Filter key ${f.Key} is given more than once; list all its values in one filter`);
    byKey[f.Key] = f.Values;
  }
  return byKey;
}

function eventShape(e: AuditEvent) {
  return {
    EventId: String(e.eventId),
    EventTime: e.eventTime / 1000,
    RequestId: e.requestId,
    PrincipalArn: e.principalArn,
    AccessKeyId: e.accessKeyId,
    Operation: e.operation,
    Resources: e.resources,
    SourceIpAddress: e.sourceIp,
    Outcome: e.outcome,
    ...(e.errorMessage !== undefined ? { ErrorMessage: e.errorMessage } : {}),
  };
}

function decodeNextToken(token: string | undefined): number | undefined {
  if (token === undefined) return undefined;
  const before = decodePageToken(token, (v) => (typeof v.before === 'number' && Number.isSafeInteger(v.before) ? v.before : undefined));
  if (before === undefined) {
    throw new ServiceError('InvalidNextToken', 'The NextToken is not valid: pass the NextToken of the previous answer unchanged');
  }
  return before;
}
