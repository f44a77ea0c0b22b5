import type { Tag } from '../tags/tag-rules.js';
import { epochSeconds } from '../parameters/parameter-output.js';
import { AMAZON_OWNER } from './document-rules.js';
import type { DocumentAndVersion, DocumentRecord, DocumentVersionRecord } from './documents.store.js';

/** Document.Owner: "Amazon" for the built-ins, the account id for the account's own. */
function ownerOf(document: DocumentRecord, accountId: string): string {
  return document.owner === 'Amazon' ? AMAZON_OWNER : accountId;
}

/** Fields that exist only when set are left out rather than sent as null. */
function optional<T>(value: T | null): T | undefined {
  return value === null ? undefined : value;
}

/** DocumentDescription (CreateDocument, DescribeDocument, UpdateDocument). */
export function documentDescription({ document, version }: DocumentAndVersion, tags: Tag[], accountId: string) {
  return {
    Hash: version.hash,
    HashType: 'Sha256',
    Name: document.name,
    DisplayName: optional(version.displayName),
    VersionName: optional(version.versionName),
    Owner: ownerOf(document, accountId),
    CreatedDate: epochSeconds(document.createdAt),
    Status: 'Active',
    DocumentVersion: String(version.version),
    Description: optional(version.description),
    Parameters: version.parameters.length ? version.parameters : undefined,
    PlatformTypes: version.platformTypes,
    DocumentType: document.documentType,
    SchemaVersion: version.schemaVersion,
    LatestVersion: String(document.latestVersion),
    DefaultVersion: String(document.defaultVersion),
    DocumentFormat: version.format,
    TargetType: optional(version.targetType),
    Tags: tags,
  };
}

/** DocumentIdentifier (ListDocuments): a document as its default version describes it. */
export function documentIdentifier({ document, version }: DocumentAndVersion, tags: Tag[], accountId: string) {
  return {
    Name: document.name,
    CreatedDate: epochSeconds(document.createdAt),
    DisplayName: optional(version.displayName),
    Owner: ownerOf(document, accountId),
    VersionName: optional(version.versionName),
    PlatformTypes: version.platformTypes,
    DocumentVersion: String(version.version),
    DocumentType: document.documentType,
    SchemaVersion: version.schemaVersion,
    DocumentFormat: version.format,
    TargetType: optional(version.targetType),
    Tags: tags,
  };
}

/** DocumentVersionInfo (ListDocumentVersions). */
export function documentVersionInfo(document: DocumentRecord, version: DocumentVersionRecord) {
  return {
    Name: document.name,
    DisplayName: optional(version.displayName),
    DocumentVersion: String(version.version),
    VersionName: optional(version.versionName),
    CreatedDate: epochSeconds(version.createdAt),
    IsDefaultVersion: version.version === document.defaultVersion,
    DocumentFormat: version.format,
    Status: 'Active',
  };
}
