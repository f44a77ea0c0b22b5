import { z } from 'zod';
import { OPERATING_SYSTEMS } from '@tend/protocol';
import { defineOperation } from '../../../rpc/operation.js';
import { validationError } from '../../../rpc/errors.js';
import { decodeNextToken, encodeNextToken, queryFingerprint } from '../../../rpc/page-token.js';
import { compareText, predefinedBaselines, type BaselineRecord } from '../patch-baseline-rules.js';
import { assertFilterKeys, baselineIdentity, baselinesStore, filterValues, nextTokenField, orchestratorFiltersField, scopeOf } from './common.js';

const input = z.object({
  Filters: orchestratorFiltersField,
  MaxResults: z.number().int().min(1).max(100).optional(),
  NextToken: nextTokenField,
});

const FILTER_KEYS = ['NAME_PREFIX', 'OWNER', 'OPERATING_SYSTEM'] as const;
const OWNERS = ['Self', 'AWS', 'All'];

/** Sort key and paging position: name, then id (names need not be unique). */
const positionOf = (b: BaselineRecord) => `${b.name}\u0000${b.baselineId}`;

/**
 * DescribePatchBaselines: the predefined baselines and the account's own,
 * merged in name order, with NAME_PREFIX, OWNER (Self | AWS | All) and
 * OPERATING_SYSTEM filters. Filters with the same key OR their values;
 * different keys AND. The account holds at most 50 baselines, so the page
 * is cut from the whole list.
 */
export const describePatchBaselines = defineOperation({
  service: 'AmazonSSM',
  name: 'DescribePatchBaselines',
  action: 'ssm:DescribePatchBaselines',
  input,
  mutating: false,
  resources: () => [],
  async run(i, ctx) {
    assertFilterKeys(i.Filters, FILTER_KEYS);
    const prefixes = filterValues(i.Filters, 'NAME_PREFIX');
    const owners = filterValues(i.Filters, 'OWNER');
    const systems = filterValues(i.Filters, 'OPERATING_SYSTEM');
    for (const o of owners ?? []) if (!OWNERS.includes(o)) throw validationError(`OWNER filter value ${o} is not valid; valid values: ${OWNERS.join(', ')}`);
    for (const os of systems ?? []) {
      if (!(OPERATING_SYSTEMS as readonly string[]).includes(os)) throw validationError(`OPERATING_SYSTEM filter value ${os} is not valid; valid values: ${OPERATING_SYSTEMS.join(', ')}`);
    }
    const wantSelf = !owners || owners.includes('Self') || owners.includes('All');
    const wantAws = !owners || owners.includes('AWS') || owners.includes('All');

    const fingerprint = queryFingerprint(['DescribePatchBaselines', prefixes ?? null, owners ?? null, systems ?? null]);
    const after = decodeNextToken<string>(i.NextToken, fingerprint, 'string');
    const pageSize = i.MaxResults ?? 100;
    const store = baselinesStore(ctx);
    const all = [...(wantAws ? predefinedBaselines() : []), ...(wantSelf ? await store.listOwn() : [])]
      .filter((b) => !prefixes || prefixes.some((p) => b.name.startsWith(p)))
      .filter((b) => !systems || systems.includes(b.operatingSystem))
      .filter((b) => after === undefined || compareText(positionOf(b), after) > 0)
      .sort((a, b) => compareText(positionOf(a), positionOf(b)));
    const page = all.slice(0, pageSize);
    const defaults = await store.defaults();
    const scope = scopeOf(ctx);
    return {
      BaselineIdentities: page.map((b) => baselineIdentity(b, scope, defaults.get(b.operatingSystem)?.baselineId === b.baselineId)),
      ...(all.length > pageSize ? { NextToken: encodeNextToken(positionOf(page[page.length - 1]!), fingerprint) } : {}),
    };
  },
});
