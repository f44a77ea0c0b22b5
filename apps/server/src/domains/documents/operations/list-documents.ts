import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { decodeNextToken, encodeNextToken, queryFingerprint } from '../../../rpc/page-token.js';
import { builtinDocuments } from '../builtin-documents.js';
import { compileDocumentFilters, documentKeyValuesFilterSchema, legacyDocumentFilterSchema } from '../document-filters.js';
import { documentIdentifier } from '../document-output.js';
import type { DocumentAndVersion } from '../documents.store.js';
import { documentsStore, maxResultsField, nextTokenField } from './common.js';

const input = z.object({
  DocumentFilterList: z.array(legacyDocumentFilterSchema).min(1).optional(),
  Filters: z.array(documentKeyValuesFilterSchema).max(6).optional(),
  MaxResults: maxResultsField,
  NextToken: nextTokenField,
});

/**
 * ListDocuments: the built-ins and the account's own documents, merged in
 * name order, each as its default version describes it.
 */
export const listDocuments = defineOperation({
  service: 'AmazonSSM',
  name: 'ListDocuments',
  action: 'ssm:ListDocuments',
  input,
  mutating: false,
  resources: () => [],
  async run(i, ctx) {
    const accountId = ctx.services.config.accountId;
    const filters = compileDocumentFilters(i.Filters, i.DocumentFilterList, accountId);
    const fingerprint = queryFingerprint(['ListDocuments', filters.canonical]);
    const after = decodeNextToken<string>(i.NextToken, fingerprint, 'string');
    const pageSize = i.MaxResults ?? 50;
    const store = documentsStore(ctx);

    // One more than a page from each source tells whether anything follows the page.
    const own = filters.self ? await store.list({ ...filters.query, after, limit: pageSize + 1 }) : [];
    const builtins = filters.amazon ? builtinDocuments().filter((b) => (after === undefined || b.document.name > after) && filters.matches(b, [])) : [];
    const merged: DocumentAndVersion[] = [...own, ...builtins].sort((a, b) => (a.document.name < b.document.name ? -1 : 1));
    const page = merged.slice(0, pageSize);
    const tags = await store.tagsOf(page.filter((d) => d.document.owner === 'Self').map((d) => d.document.name));
    return {
      DocumentIdentifiers: page.map((d) => documentIdentifier(d, tags.get(d.document.name) ?? [], accountId)),
      NextToken: merged.length > pageSize ? encodeNextToken(page[page.length - 1]!.document.name, fingerprint) : undefined,
    };
  },
});
