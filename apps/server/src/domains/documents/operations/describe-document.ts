import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { findDocumentVersion } from '../document-lookup.js';
import { documentDescription } from '../document-output.js';
import { documentNameSchema, documentVersionSchema, versionNameSchema } from '../document-rules.js';
import { arnOf, documentsStore, nameOf } from './common.js';

const input = z.object({
  Name: documentNameSchema,
  DocumentVersion: documentVersionSchema.optional(),
  VersionName: versionNameSchema.optional(),
});

/** DescribeDocument: a document as one of its versions (the default one unless selected) describes it. */
export const describeDocument = defineOperation({
  service: 'AmazonSSM',
  name: 'DescribeDocument',
  action: 'ssm:DescribeDocument',
  input,
  mutating: false,
  resources: (i, ctx) => [arnOf(ctx, i.Name)],
  async run(i, ctx) {
    const store = documentsStore(ctx);
    const found = await findDocumentVersion(store, nameOf(ctx, i.Name), { documentVersion: i.DocumentVersion, versionName: i.VersionName });
    const tags = found.document.owner === 'Self' ? ((await store.tagsOf([found.document.name])).get(found.document.name) ?? []) : [];
    return { Document: documentDescription(found, tags, ctx.services.config.accountId) };
  },
});
