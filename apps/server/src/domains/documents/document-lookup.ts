import { builtinDocument } from './builtin-documents.js';
import { documentError, resolveVersionNumber, versionNotFound, type VersionSelector } from './document-rules.js';
import type { DocumentAndVersion, DocumentsStore } from './documents.store.js';

/**
 * One version of any document the account can use: a built-in or its own.
 * What GetDocument and DescribeDocument answer, and what Run Command will
 * render a command from.
 */
export async function findDocumentVersion(store: DocumentsStore, name: string, selector: VersionSelector = {}): Promise<DocumentAndVersion> {
  const builtin = builtinDocument(name);
  if (!builtin) return store.findVersion(name, selector);
  const number = selector.documentVersion === undefined ? builtin.document.defaultVersion : resolveVersionNumber(selector.documentVersion, builtin.document);
  // Built-ins have one version and no version name.
  if (number !== builtin.version.version || selector.versionName !== undefined) throw versionNotFound(name, selector);
  return builtin;
}

/** Built-ins are read-only: every write to one is refused the way Systems Manager refuses changes to its own documents. */
export function assertWritable(name: string, verb: string): void {
  if (builtinDocument(name)) {
    throw documentError('InvalidDocumentOperation', `${name} is a built-in document, owned by Amazon: it can't be ${verb}. Create a document of your own instead.`);
  }
}
