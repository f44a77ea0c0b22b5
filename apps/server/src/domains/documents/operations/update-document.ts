import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { contentHash, examineDocument } from '../document-content.js';
import { assertWritable } from '../document-lookup.js';
import { documentDescription } from '../document-output.js';
import {
  DOCUMENT_FORMATS,
  displayNameSchema,
  documentContentSchema,
  documentVersionSchema,
  plainDocumentNameSchema,
  targetTypeSchema,
  versionNameSchema,
} from '../document-rules.js';
import { arnOf, contentFormat, documentsStore, refuseUnsupported, unsupportedMembers } from './common.js';

const input = z.object({
  Content: documentContentSchema,
  Attachments: unsupportedMembers.Attachments,
  Name: plainDocumentNameSchema,
  DisplayName: displayNameSchema.optional(),
  VersionName: versionNameSchema.optional(),
  DocumentVersion: documentVersionSchema.optional(),
  DocumentFormat: z.enum(DOCUMENT_FORMATS).optional(),
  TargetType: targetTypeSchema.optional(),
});

/**
 * UpdateDocument: writes the next version from the latest one. The default
 * version stays where it is until UpdateDocumentDefaultVersion moves it;
 * DisplayName and TargetType carry over when not given, VersionName never.
 */
export const updateDocument = defineOperation({
  service: 'AmazonSSM',
  name: 'UpdateDocument',
  action: 'ssm:UpdateDocument',
  input,
  mutating: true,
  resources: (i, ctx) => [arnOf(ctx, i.Name)],
  async run(i, ctx) {
    refuseUnsupported(i);
    assertWritable(i.Name, 'updated');
    const format = contentFormat(i.DocumentFormat);
    const hash = contentHash(i.Content);
    const store = documentsStore(ctx);
    const updated = await store.addVersion(i.Name, i.DocumentVersion, ({ document, version: latest }) => ({
      versionName: i.VersionName ?? null,
      displayName: i.DisplayName ?? latest.displayName,
      format,
      content: i.Content,
      hash,
      facts: examineDocument(document.documentType, i.Content, format),
      targetType: i.TargetType ?? latest.targetType,
    }));
    const tags = (await store.tagsOf([i.Name])).get(i.Name) ?? [];
    return { DocumentDescription: documentDescription(updated, tags, ctx.services.config.accountId) };
  },
});
