import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { ServiceError } from '../../../rpc/errors.js';
import { decodeNextToken, encodeNextToken, queryFingerprint } from '../../../rpc/page-token.js';
import type { ActivationQuery, ActivationRecord } from '../activations.store.js';
import { epochSeconds } from './node-operation.js';

const FILTER_COLUMNS = {
  ActivationIds: 'activationIds',
  DefaultInstanceName: 'defaultInstanceNames',
  IamRole: 'iamRoles',
} as const;

const input = z.object({
  // Keys are checked in run: an unknown one is InvalidFilter, as Systems Manager answers, not a validation error.
  Filters: z
    .array(z.object({ FilterKey: z.string().max(64).optional(), FilterValues: z.array(z.string().max(256)).max(100).optional() }))
    .max(10)
    .optional(),
  MaxResults: z.number().int().min(1).max(50).optional(),
  NextToken: z.string().min(1).max(1024).optional(),
});

/** DescribeActivations: the account's activations, oldest first, with how many nodes used each. */
export const describeActivations = defineOperation({
  service: 'AmazonSSM',
  name: 'DescribeActivations',
  action: 'ssm:DescribeActivations',
  mutating: false,
  input,
  resources: () => [],
  async run(i, ctx) {
    const query: ActivationQuery = { limit: i.MaxResults ?? 50 };
    for (const f of i.Filters ?? []) {
      const member = f.FilterKey === undefined ? undefined : FILTER_COLUMNS[f.FilterKey as keyof typeof FILTER_COLUMNS];
      if (!member) throw new ServiceError('InvalidFilter', `Filter key ${f.FilterKey ?? '(missing)'} is not valid; use ${Object.keys(FILTER_COLUMNS).join(', ')}`);
      if (!f.FilterValues?.length) throw new ServiceError('InvalidFilter', `Filter ${f.FilterKey} needs at least one value`);
      (query[member] ??= []).push(f.FilterValues);
    }
    const fingerprint = queryFingerprint(['DescribeActivations', i.Filters ?? []]);
    const position = decodeNextToken<string>(i.NextToken, fingerprint, 'string');
    if (position !== undefined) {
      const split = position.indexOf(':');
      query.after = { createdDate: Number(position.slice(0, split)), activationId: position.slice(split + 1) };
    }
    const rows = await ctx.services.activations.list(query);
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    const now = ctx.now.getTime();
    return {
      ActivationList: page.map((a) => activationShape(a, now)),
      NextToken: rows.length > query.limit && last ? encodeNextToken(`${last.createdDate}:${last.activationId}`, fingerprint) : undefined,
    };
  },
});

function activationShape(a: ActivationRecord, now: number) {
  return {
    ActivationId: a.activationId,
    ...(a.description !== null ? { Description: a.description } : {}),
    ...(a.defaultInstanceName !== null ? { DefaultInstanceName: a.defaultInstanceName } : {}),
    IamRole: a.iamRole,
    RegistrationLimit: a.registrationLimit,
    RegistrationsCount: a.registrationsCount,
    ExpirationDate: epochSeconds(a.expirationDate),
    Expired: a.expirationDate <= now,
    CreatedDate: epochSeconds(a.createdDate),
    Tags: a.tags,
  };
}
