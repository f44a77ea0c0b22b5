import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { ServiceError } from '../../../rpc/errors.js';
import { decodePageToken, encodePageToken, queryFingerprint } from '../../../rpc/page-token.js';
import { assertFilterKeys, baselineIdentity, baselinesStore, filterValues, nextTokenField, orchestratorFiltersField, scopeOf } from './common.js';

const input = z.object({
  MaxResults: z.number().int().min(1).max(100).optional(),
  Filters: orchestratorFiltersField,
  NextToken: nextTokenField,
});

const FILTER_KEYS = ['NAME_PREFIX', 'OPERATING_SYSTEM'] as const;

/**
 * DescribePatchGroups: every patch group registration with its baseline's
 * identity, in patch-group then OS order; NAME_PREFIX narrows by the
 * group's name, OPERATING_SYSTEM by the registration's OS.
 */
export const describePatchGroups = defineOperation({
  service: 'AmazonSSM',
  name: 'DescribePatchGroups',
  action: 'ssm:DescribePatchGroups',
  input,
  mutating: false,
  resources: () => [],
  async run(i, ctx) {
    assertFilterKeys(i.Filters, FILTER_KEYS);
    const namePrefixes = filterValues(i.Filters, 'NAME_PREFIX');
    const operatingSystems = filterValues(i.Filters, 'OPERATING_SYSTEM');
    const fingerprint = queryFingerprint(['DescribePatchGroups', namePrefixes ?? null, operatingSystems ?? null]);
    let after: [string, string] | undefined;
    if (i.NextToken !== undefined) {
      after = decodePageToken(i.NextToken, (v) => (v.q === fingerprint && typeof v.g === 'string' && typeof v.o === 'string' ? ([v.g, v.o] as [string, string]) : undefined));
      if (!after) throw new ServiceError('InvalidNextToken', "The specified token isn't valid.");
    }
    const pageSize = i.MaxResults ?? 100;
    const store = baselinesStore(ctx);
    const rows = await store.listPatchGroups({ after, limit: pageSize + 1, namePrefixes, operatingSystems });
    const page = rows.slice(0, pageSize);
    const defaults = await store.defaults();
    const scope = scopeOf(ctx);
    const last = page[page.length - 1];
    return {
      Mappings: page.map((r) => ({
        PatchGroup: r.patchGroup,
        BaselineIdentity: baselineIdentity(r.baseline, scope, defaults.get(r.baseline.operatingSystem)?.baselineId === r.baseline.baselineId),
      })),
      ...(rows.length > pageSize && last ? { NextToken: encodePageToken({ g: last.patchGroup, o: last.operatingSystem, q: fingerprint }) } : {}),
    };
  },
});
