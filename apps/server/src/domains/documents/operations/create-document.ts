import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { contentHash, examineDocument } from '../document-content.js';
import { documentDescription } from '../document-output.js';
import {
  DOCUMENT_FORMATS,
  SSM_DOCUMENT_TYPES,
  SUPPORTED_DOCUMENT_TYPES,
  displayNameSchema,
  documentArn,
  documentContentSchema,
  documentError,
  newDocumentNameSchema,
  targetTypeSchema,
  versionNameSchema,
  type DocumentType,
} from '../document-rules.js';
import { contentFormat, documentTagsField, documentsStore, refuseUnsupported, scopeOf, unsupportedMembers } from './common.js';

const input = z.object({
  Content: documentContentSchema,
  ...unsupportedMembers,
  Name: newDocumentNameSchema,
  DisplayName: displayNameSchema.optional(),
  VersionName: versionNameSchema.optional(),
  DocumentType: z.enum(SSM_DOCUMENT_TYPES).optional(),
  DocumentFormat: z.enum(DOCUMENT_FORMATS).optional(),
  TargetType: targetTypeSchema.optional(),
  Tags: documentTagsField,
});

/** CreateDocument: a new document whose first version is its default and latest one. */
export const createDocument = defineOperation({
  service: 'AmazonSSM',
  name: 'CreateDocument',
  action: 'ssm:CreateDocument',
  input,
  mutating: true,
  resources: (i, ctx) => [documentArn(scopeOf(ctx), i.Name)],
  async run(i, ctx) {
    refuseUnsupported(i);
    const documentType = supportedType(i.DocumentType ?? 'Command');
    const format = contentFormat(i.DocumentFormat);
    const facts = examineDocument(documentType, i.Content, format);
    const created = await documentsStore(ctx).create({
      name: i.Name,
      documentType,
      tags: i.Tags ?? [],
      draft: {
        versionName: i.VersionName ?? null,
        displayName: i.DisplayName ?? null,
        format,
        content: i.Content,
        hash: contentHash(i.Content),
        facts,
        targetType: i.TargetType ?? null,
      },
    });
    return { DocumentDescription: documentDescription(created, i.Tags ?? [], ctx.services.config.accountId) };
  },
});

function supportedType(type: (typeof SSM_DOCUMENT_TYPES)[number]): DocumentType {
  if ((SUPPORTED_DOCUMENT_TYPES as readonly string[]).includes(type)) return type as DocumentType;
  throw documentError('InvalidDocumentType', `Tend does not store ${type} documents; supported types: ${SUPPORTED_DOCUMENT_TYPES.join(', ')}.`);
}
