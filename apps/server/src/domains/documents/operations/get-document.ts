import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { epochSeconds } from '../../parameters/parameter-output.js';
import { contentIn } from '../document-content.js';
import { findDocumentVersion } from '../document-lookup.js';
import { DOCUMENT_FORMATS, documentNameSchema, documentVersionSchema, versionNameSchema } from '../document-rules.js';
import { arnOf, contentFormat, documentsStore, nameOf } from './common.js';

const input = z.object({
  Name: documentNameSchema,
  VersionName: versionNameSchema.optional(),
  DocumentVersion: documentVersionSchema.optional(),
  DocumentFormat: z.enum(DOCUMENT_FORMATS).optional(),
});

/** GetDocument: one version's content (the default version unless selected), in the format asked for. */
export const getDocument = defineOperation({
  service: 'AmazonSSM',
  name: 'GetDocument',
  action: 'ssm:GetDocument',
  input,
  mutating: false,
  resources: (i, ctx) => [arnOf(ctx, i.Name)],
  async run(i, ctx) {
    const { document, version } = await findDocumentVersion(documentsStore(ctx), nameOf(ctx, i.Name), {
      documentVersion: i.DocumentVersion,
      versionName: i.VersionName,
    });
    const format = i.DocumentFormat === undefined ? version.format : contentFormat(i.DocumentFormat);
    return {
      Name: document.name,
      CreatedDate: epochSeconds(document.createdAt),
      DisplayName: version.displayName ?? undefined,
      VersionName: version.versionName ?? undefined,
      DocumentVersion: String(version.version),
      Status: 'Active',
      Content: contentIn(version.content, version.format, format),
      DocumentType: document.documentType,
      DocumentFormat: format,
    };
  },
});
