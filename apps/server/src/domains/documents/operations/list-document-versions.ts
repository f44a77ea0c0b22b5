import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { decodeNextToken, encodeNextToken, queryFingerprint } from '../../../rpc/page-token.js';
import { builtinDocument } from '../builtin-documents.js';
import { documentVersionInfo } from '../document-output.js';
import { documentNameSchema, documentNotFound } from '../document-rules.js';
import { arnOf, documentsStore, maxResultsField, nameOf, nextTokenField } from './common.js';

const input = z.object({
  Name: documentNameSchema,
  MaxResults: maxResultsField,
  NextToken: nextTokenField,
});

/** ListDocumentVersions: every version of one document, oldest first. */
export const listDocumentVersions = defineOperation({
  service: 'AmazonSSM',
  name: 'ListDocumentVersions',
  action: 'ssm:ListDocumentVersions',
  input,
  mutating: false,
  resources: (i, ctx) => [arnOf(ctx, i.Name)],
  async run(i, ctx) {
    const name = nameOf(ctx, i.Name);
    const fingerprint = queryFingerprint(['ListDocumentVersions', name]);
    const after = decodeNextToken<number>(i.NextToken, fingerprint, 'number') ?? 0;
    const pageSize = i.MaxResults ?? 50;

    const builtin = builtinDocument(name);
    if (builtin) {
      const versions = after < builtin.version.version ? [documentVersionInfo(builtin.document, builtin.version)] : [];
      return { DocumentVersions: versions };
    }
    const store = documentsStore(ctx);
    const document = await store.find(name);
    if (!document) throw documentNotFound(name);
    const rows = await store.versions(name, after, pageSize + 1);
    const page = rows.slice(0, pageSize);
    return {
      DocumentVersions: page.map((v) => documentVersionInfo(document, v)),
      NextToken: rows.length > pageSize ? encodeNextToken(page[page.length - 1]!.version, fingerprint) : undefined,
    };
  },
});
