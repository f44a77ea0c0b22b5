import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { parseParameterReference } from '../parameter-names.js';
import { decodeNextToken, encodeNextToken, queryFingerprint } from '../../../rpc/page-token.js';
import { historyOutput } from '../parameter-output.js';
import { arnForName, maxResultsField, nextTokenField, parameterNameField, parameterNotFound, scopeOf, storeOf } from './common.js';

const input = z.object({
  Name: parameterNameField,
  WithDecryption: z.boolean().optional(),
  MaxResults: maxResultsField(50),
  NextToken: nextTokenField,
});

/** GetParameterHistory: every kept version, oldest first, each with its labels. */
export const getParameterHistory = defineOperation({
  service: 'AmazonSSM',
  name: 'GetParameterHistory',
  action: 'ssm:GetParameterHistory',
  input,
  mutating: false,
  resources: (i, ctx) => [arnForName(ctx, i.Name)],
  async run(i, ctx) {
    const store = storeOf(ctx);
    const ref = parseParameterReference(i.Name, scopeOf(ctx), { allowSelector: false });
    const fingerprint = queryFingerprint(['GetParameterHistory', ref.nameKey]);
    const afterVersion = decodeNextToken<number>(i.NextToken, fingerprint, 'number') ?? 0;
    const limit = i.MaxResults ?? 50;
    // One extra row tells whether another page exists.
    const versions = await store.history(ref.nameKey, afterVersion, limit + 1);
    if (!versions) throw parameterNotFound(ref.name);
    const page = versions.slice(0, limit);
    const withDecryption = i.WithDecryption ?? false;
    return {
      Parameters: page.map((v) => historyOutput(v, store.reveal(v, withDecryption), v.labels)),
      NextToken: versions.length > limit ? encodeNextToken(page[page.length - 1]!.version, fingerprint) : undefined,
    };
  },
});
