import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { validationError } from '../../../rpc/errors.js';
import { compileFilters, fromLegacyFilters, legacyParametersFilterSchema, parameterStringFilterSchema } from '../parameter-filters.js';
import { collectPage } from '../parameter-paging.js';
import { decodeNextToken, encodeNextToken, queryFingerprint } from '../../../rpc/page-token.js';
import { metadataOutput } from '../parameter-output.js';
import { maxResultsField, nextTokenField, storeOf } from './common.js';

const input = z.object({
  Filters: z.array(legacyParametersFilterSchema).max(50).optional(),
  ParameterFilters: z.array(parameterStringFilterSchema).max(50).optional(),
  MaxResults: maxResultsField(50),
  NextToken: nextTokenField,
  Shared: z.boolean().optional(),
});

/**
 * DescribeParameters: metadata (never values) of the account's parameters
 * in name order, filtered by the current filters or the deprecated ones.
 */
export const describeParameters = defineOperation({
  service: 'AmazonSSM',
  name: 'DescribeParameters',
  action: 'ssm:DescribeParameters',
  input,
  mutating: false,
  resources: () => [],
  async run(i, ctx) {
    const store = storeOf(ctx);
    if (i.Filters && i.ParameterFilters) throw validationError('You can use either Filters or ParameterFilters in a single request, not both.');
    const filters = compileFilters(i.ParameterFilters ?? (i.Filters ? fromLegacyFilters(i.Filters) : undefined), 'DescribeParameters');
    const fingerprint = queryFingerprint(['DescribeParameters', filters.canonical, i.Shared ?? false]);
    const after = decodeNextToken<string>(i.NextToken, fingerprint, 'string');
    // Tend has no cross-account sharing: nothing is shared with the caller.
    if (i.Shared) return { Parameters: [] };

    // A single Path value narrows the scan itself; the predicate still checks every row.
    const path = filters.paths.length === 1 ? filters.paths[0] : undefined;
    const page = await collectPage({
      pageSize: i.MaxResults ?? 10,
      after,
      fetch: (from, limit) => store.scan({ after: from, limit, path }),
      async pick(batch) {
        const tags = filters.needsTags ? await store.tagsOf(batch.map((r) => r.nameKey)) : undefined;
        return batch.map((record) => (filters.test({ record, tags: tags?.get(record.nameKey) }) ? metadataOutput(record) : undefined));
      },
    });
    return { Parameters: page.items, NextToken: page.after === undefined ? undefined : encodeNextToken(page.after, fingerprint) };
  },
});
