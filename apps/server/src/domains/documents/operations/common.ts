import { z } from 'zod';
import type { OperationContext } from '../../../rpc/operation.js';
import { validationError } from '../../../rpc/errors.js';
import { MAX_TAGS_PER_RESOURCE, tagListSchema } from '../../tags/tag-rules.js';
import { builtinDocument } from '../builtin-documents.js';
import { documentArn, documentNameOf, type ArnScope, type DocumentFormat } from '../document-rules.js';
import { DocumentsStore } from '../documents.store.js';

/** The store, built per request on the shared database and bound to the request's clock. */
export function documentsStore(ctx: OperationContext): DocumentsStore {
  return new DocumentsStore({ db: ctx.services.db, dialect: ctx.services.dialect, now: () => ctx.now.getTime() });
}

export function scopeOf(ctx: OperationContext): ArnScope {
  return { region: ctx.services.config.region, accountId: ctx.services.config.accountId };
}

/** The document a `Name` member designates (a name, or a document ARN of this region and account). */
export function nameOf(ctx: OperationContext, identifier: string): string {
  return documentNameOf(identifier, scopeOf(ctx));
}

/** The ARN authorized for a call on one document: Amazon's ARN (no account) for a built-in. */
export function arnOf(ctx: OperationContext, identifier: string): string {
  const name = nameOf(ctx, identifier);
  return documentArn(scopeOf(ctx), name, builtinDocument(name) ? 'Amazon' : 'Self');
}

/** Tags on CreateDocument; an empty list is the same as none. */
export const documentTagsField = z.preprocess((v) => (Array.isArray(v) && v.length === 0 ? undefined : v), tagListSchema(MAX_TAGS_PER_RESOURCE).optional());

/** Members Tend accepts for their shape and refuses when used: it has no AppConfig and no attachment store yet. */
export const unsupportedMembers = {
  Requires: z.array(z.unknown()).optional(),
  Attachments: z.array(z.unknown()).optional(),
};

export function refuseUnsupported(input: { Requires?: unknown[]; Attachments?: unknown[] }): void {
  if (input.Requires?.length) throw validationError('Tend does not support Requires: it is for AppConfig documents, which Tend does not store.');
  if (input.Attachments?.length) throw validationError('Tend does not support document attachments yet; put what the document needs in its content.');
}

/** The format content is written in; TEXT is AppConfig's, for document types Tend does not store. */
export function contentFormat(format: 'JSON' | 'YAML' | 'TEXT' | undefined): DocumentFormat {
  if (format === 'TEXT') throw validationError('DocumentFormat TEXT is only for ApplicationConfiguration documents, which Tend does not store: use JSON or YAML.');
  return format ?? 'JSON';
}

export const maxResultsField = z.number().int().min(1).max(50).optional();
export const nextTokenField = z.string().min(1).max(4096).optional();
