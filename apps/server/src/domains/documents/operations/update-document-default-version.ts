import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { assertWritable } from '../document-lookup.js';
import { documentVersionSchema, plainDocumentNameSchema } from '../document-rules.js';
import { arnOf, documentsStore } from './common.js';

const input = z.object({
  Name: plainDocumentNameSchema,
  DocumentVersion: documentVersionSchema,
});

/** UpdateDocumentDefaultVersion: the version commands use when they name no version. */
export const updateDocumentDefaultVersion = defineOperation({
  service: 'AmazonSSM',
  name: 'UpdateDocumentDefaultVersion',
  action: 'ssm:UpdateDocumentDefaultVersion',
  input,
  mutating: true,
  resources: (i, ctx) => [arnOf(ctx, i.Name)],
  async run(i, ctx) {
    assertWritable(i.Name, 'changed');
    const { document, version } = await documentsStore(ctx).setDefaultVersion(i.Name, i.DocumentVersion);
    return {
      Description: { Name: document.name, DefaultVersion: String(version.version), DefaultVersionName: version.versionName ?? undefined },
    };
  },
});
