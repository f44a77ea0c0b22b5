import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { decodeNextToken, encodeNextToken, queryFingerprint } from '../../../rpc/page-token.js';
import { opsItemFiltersSchema, opsItemPredicate } from '../ops-item-filters.js';
import { arnOf, opsItemSummary, opsItemsStore } from './common.js';

const input = z.object({
  OpsItemFilters: opsItemFiltersSchema,
  MaxResults: z.number().int().min(1).max(50).optional(),
  NextToken: z.string().max(4096).optional(),
});

/** Where a page ends in the newest-first order: the last item's creation time and id. */
const positionOf = (item: { createdAt: number; opsItemId: string }) => `${String(item.createdAt).padStart(16, '0')}|${item.opsItemId}`;

/**
 * DescribeOpsItems: the account's OpsItems newest first, filtered, in pages.
 * The token holds the position of the last item given, so items created
 * between two pages do not shift the pages that follow.
 */
export const describeOpsItems = defineOperation({
  service: 'AmazonSSM',
  name: 'DescribeOpsItems',
  action: 'ssm:DescribeOpsItems',
  input,
  mutating: false,
  resources: (_i, ctx) => [arnOf(ctx, '*')],
  async run(i, ctx) {
    const matches = opsItemPredicate(i.OpsItemFilters, ctx.services.config.accountId);
    const fingerprint = queryFingerprint({ op: 'DescribeOpsItems', filters: i.OpsItemFilters ?? [] });
    const after = decodeNextToken<string>(i.NextToken, fingerprint, 'string');
    const size = i.MaxResults ?? 50;
    const found = (await opsItemsStore(ctx).list()).filter((item) => (after === undefined || positionOf(item) < after) && matches(item));
    const page = found.slice(0, size);
    const more = found.length > size;
    return { OpsItemSummaries: page.map(opsItemSummary), ...(more ? { NextToken: encodeNextToken(positionOf(page.at(-1)!), fingerprint) } : {}) };
  },
});
