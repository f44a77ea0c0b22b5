import { z } from 'zod';
import { defineOperation, type OperationContext } from '../../../rpc/operation.js';
import { validationError } from '../../../rpc/errors.js';
import { normalizeHierarchyPath } from '../parameter-names.js';
import { compileFilters, parameterStringFilterSchema } from '../parameter-filters.js';
import { collectPage } from '../parameter-paging.js';
import { decodeNextToken, encodeNextToken, queryFingerprint } from '../../../rpc/page-token.js';
import { parameterOutput } from '../parameter-output.js';
import { versionKey } from '../parameters.store.js';
import { maxResultsField, nextTokenField, storeOf } from './common.js';

const input = z.object({
  Path: z.string().min(1).max(2048),
  Recursive: z.boolean().optional(),
  ParameterFilters: z.array(parameterStringFilterSchema).max(50).optional(),
  WithDecryption: z.boolean().optional(),
  MaxResults: maxResultsField(10),
  NextToken: nextTokenField,
});

const ACTION = 'ssm:GetParametersByPath';

function hierarchyOf(raw: string): string {
  return normalizeHierarchyPath(raw, validationError);
}

/**
 * GetParametersByPath: the parameters directly in a hierarchy, or anywhere
 * below it with Recursive. The caller needs the action on the path, and
 * every parameter the caller may not read that way is left out, so a Deny
 * on one parameter also protects it from path reads.
 */
export const getParametersByPath = defineOperation({
  service: 'AmazonSSM',
  name: 'GetParametersByPath',
  action: ACTION,
  input,
  mutating: false,
  resources(i, ctx) {
    let path = i.Path.trim();
    try {
      path = hierarchyOf(i.Path);
    } catch {
      // run() reports the bad path
    }
    return [storeOf(ctx).arn(path)];
  },
  async run(i, ctx: OperationContext) {
    const store = storeOf(ctx);
    const path = hierarchyOf(i.Path);
    const recursive = i.Recursive ?? false;
    const filters = compileFilters(i.ParameterFilters, 'GetParametersByPath');
    const fingerprint = queryFingerprint(['GetParametersByPath', path, recursive, filters.canonical]);
    const wantedLabels = filters.labels;

    const page = await collectPage({
      pageSize: i.MaxResults ?? 10,
      after: decodeNextToken<string>(i.NextToken, fingerprint, 'string'),
      fetch: (after, limit) => store.scan({ after, limit, path: { path, recursive }, includePublic: true }),
      async pick(batch) {
        const labels = wantedLabels ? await store.labelsOf(batch.map((r) => r.nameKey)) : undefined;
        return batch.map((record) => {
          if (!filters.test({ record }) || !ctx.isAllowed(ACTION, record.arn)) return undefined;
          if (!labels || !wantedLabels) return { nameKey: record.nameKey, version: record.version };
          // With a Label filter the answer is the labelled version (the newest, if several labels match).
          const versions = (labels.get(record.nameKey) ?? []).filter((l) => wantedLabels.includes(l.label)).map((l) => l.version);
          return versions.length ? { nameKey: record.nameKey, version: Math.max(...versions) } : undefined;
        });
      },
    });

    const withDecryption = i.WithDecryption ?? false;
    const versions = await store.readVersions(page.items);
    const parameters = page.items.flatMap((ref) => {
      // A version can disappear between the scan and this read (an overwrite retired it).
      const record = versions.get(versionKey(ref));
      return record ? [parameterOutput(record, store.reveal(record, withDecryption))] : [];
    });
    return { Parameters: parameters, NextToken: page.after === undefined ? undefined : encodeNextToken(page.after, fingerprint) };
  },
});
