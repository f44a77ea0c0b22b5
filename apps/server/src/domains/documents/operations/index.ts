import type { Operation } from '../../../rpc/operation.js';
import { createDocument } from './create-document.js';
import { deleteDocument } from './delete-document.js';
import { describeDocument } from './describe-document.js';
import { getDocument } from './get-document.js';
import { listDocumentVersions } from './list-document-versions.js';
import { listDocuments } from './list-documents.js';
import { updateDocument } from './update-document.js';
import { updateDocumentDefaultVersion } from './update-document-default-version.js';

/** SSM documents, one operation per file. */
export const documentOperations: Operation[] = [
  createDocument,
  getDocument,
  describeDocument,
  listDocuments,
  listDocumentVersions,
  updateDocument,
  updateDocumentDefaultVersion,
  deleteDocument,
];
