import { z } from 'zod';
import { ServiceError, type ErrorName } from '../../rpc/errors.js';

/** Document types Systems Manager knows (the SDK's DocumentType enum). */
export const SSM_DOCUMENT_TYPES = [
  'Command',
  'Policy',
  'Automation',
  'Session',
  'Package',
  'ApplicationConfiguration',
  'ApplicationConfigurationSchema',
  'DeploymentStrategy',
  'ChangeCalendar',
  'Automation.ChangeTemplate',
  'ProblemAnalysis',
  'ProblemAnalysisTemplate',
  'CloudFormation',
  'ConformancePackTemplate',
  'QuickSetup',
  'ManualApprovalPolicy',
  'AutoApprovalPolicy',
] as const;
export type SsmDocumentType = (typeof SSM_DOCUMENT_TYPES)[number];

/** The types Tend stores; the others belong to AWS services Tend does not replace (AppConfig, CloudFormation, …). */
export const SUPPORTED_DOCUMENT_TYPES = ['Command', 'Automation', 'Session', 'Package', 'Policy'] as const;
export type DocumentType = (typeof SUPPORTED_DOCUMENT_TYPES)[number];

export const DOCUMENT_FORMATS = ['YAML', 'JSON', 'TEXT'] as const;
/** TEXT is for AppConfig's documents only, none of which Tend stores. */
export type DocumentFormat = 'YAML' | 'JSON';

export const PLATFORM_TYPES = ['Windows', 'Linux', 'MacOS'] as const;
export type PlatformType = (typeof PLATFORM_TYPES)[number];

/** Content limit (the SDK documents 64 KB), counted in UTF-8 bytes. */
export const MAX_CONTENT_BYTES = 64 * 1024;
/** Versions one document may hold before UpdateDocument asks for some to be deleted. */
export const MAX_DOCUMENT_VERSIONS = 1000;
/** `resource_tags.resource_type` of documents: the tagging API's ResourceType. */
export const DOCUMENT_TAG_RESOURCE_TYPE = 'Document';
/** Owner of the built-in documents, as Systems Manager reports its own. */
export const AMAZON_OWNER = 'Amazon';

// Input constraints as the Systems Manager API models them.
const NAME_PATTERN = /^[a-zA-Z0-9_\-.]{3,128}$/;
const NAME_OR_ARN_PATTERN = /^[a-zA-Z0-9_\-.:/]{3,128}$/;
const VERSION_PATTERN = /^(\$LATEST|\$DEFAULT|[1-9][0-9]*)$/;
const VERSION_NAME_PATTERN = /^[a-zA-Z0-9_\-.]{1,128}$/;
const DISPLAY_NAME_PATTERN = /^[\w.\-:/ ]*$/;
const TARGET_TYPE_PATTERN = /^\/[\w.\-:/]*$/;

/** A document name where an ARN is not accepted (writes). */
export const plainDocumentNameSchema = z.string().regex(NAME_PATTERN, 'Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-.]{3,128}$');
/** Name of a new document: also outside the prefixes kept for Amazon's documents. */
export const newDocumentNameSchema = plainDocumentNameSchema.refine(
  (name) => !isReservedDocumentName(name),
  'Document names must not start with aws, amazon or amzn (in any case): those prefixes are reserved for built-in documents',
);
/** Name (or ARN) of an existing document, as reads take it. */
export const documentNameSchema = z.string().regex(NAME_OR_ARN_PATTERN, 'Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-.:/]{3,128}$');
export const documentVersionSchema = z.string().regex(VERSION_PATTERN, 'Member must satisfy regular expression pattern: ([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)');
export const versionNameSchema = z.string().regex(VERSION_NAME_PATTERN, 'Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-.]{1,128}$');
export const displayNameSchema = z.string().max(1024).regex(DISPLAY_NAME_PATTERN, 'Member must satisfy regular expression pattern: ^[\\w\\.\\-\\:\\/ ]*$');
export const targetTypeSchema = z.string().max(200).regex(TARGET_TYPE_PATTERN, 'Member must satisfy regular expression pattern: ^\\/[\\w\\.\\-\\:\\/]*$');
export const documentContentSchema = z.string().min(1);
export const documentFormatSchema = z.enum(DOCUMENT_FORMATS);

/**
 * Prefixes Systems Manager keeps for its own documents (aws, amazon, amzn;
 * AWSEC2, AWSConfigRemediation and AWSSupport start with aws), in any case.
 * Keeping them free is also what makes the built-ins impossible to shadow.
 */
export function isReservedDocumentName(name: string): boolean {
  return /^(aws|amazon|amzn)/i.test(name);
}

export interface ArnScope {
  region: string;
  accountId: string;
}

/** `arn:aws:ssm:<region>:<account>:document/<name>`; Amazon's documents have no account in theirs. */
export function documentArn(scope: ArnScope, name: string, owner: 'Self' | 'Amazon' = 'Self'): string {
  return `arn:aws:ssm:${scope.region}:${owner === 'Amazon' ? '' : scope.accountId}:document/${name}`;
}

const DOCUMENT_ARN = /^arn:aws:ssm:([a-z0-9-]*):(\d{12})?:document\/(.+)$/;

/**
 * The document name a `Name` member designates: a name as is, or the name
 * in a document ARN of this region (and this account, or none for Amazon's).
 * An ARN elsewhere names a document Tend cannot have: InvalidDocument.
 */
export function documentNameOf(identifier: string, scope: ArnScope): string {
  const arn = DOCUMENT_ARN.exec(identifier);
  if (!arn) return identifier;
  if (arn[1] !== scope.region || (arn[2] !== undefined && arn[2] !== scope.accountId)) {
    throw documentError('InvalidDocument', `The document ${identifier} belongs to another region or account.`);
  }
  return arn[3]!;
}

/**
 * A modeled document error. These errors are modeled with a `Message`
 * member, which is where Systems Manager puts their text and where some
 * SDKs read it, so the text goes there as well as in `message`.
 */
export function documentError(type: ErrorName, message: string): ServiceError {
  return new ServiceError(type, message, { Message: message });
}

export function documentNotFound(name: string): ServiceError {
  return documentError('InvalidDocument', `The document ${name} does not exist.`);
}

/** A version selector as requests spell it: `DocumentVersion` ($LATEST, $DEFAULT or a number) and/or `VersionName`. */
export interface VersionSelector {
  documentVersion?: string;
  versionName?: string;
}

/** "1" → 1; $LATEST and $DEFAULT resolve against the document's own numbers. */
export function resolveVersionNumber(documentVersion: string, doc: { defaultVersion: number; latestVersion: number }): number {
  if (documentVersion === '$LATEST') return doc.latestVersion;
  if (documentVersion === '$DEFAULT') return doc.defaultVersion;
  return Number(documentVersion);
}

export function versionNotFound(name: string, selector: VersionSelector): ServiceError {
  const parts = [selector.documentVersion && `version ${selector.documentVersion}`, selector.versionName && `version name ${selector.versionName}`].filter(Boolean);
  return documentError('InvalidDocumentVersion', `The document ${name} has no ${parts.join(' with ')}.`);
}
