import { createHash } from 'node:crypto';
import YAML from 'yaml';
import { COMMAND_SCHEMA_VERSIONS, readCommandDocument, type CommandDocument } from './command-document.js';
import { ContentProblem, defaultValueText, isPlainObject } from './document-parameters.js';
import { MAX_CONTENT_BYTES, PLATFORM_TYPES, documentError, type DocumentFormat, type DocumentType, type PlatformType } from './document-rules.js';

/** DocumentParameter, as DocumentDescription lists a document's parameters. */
export interface DocumentParameterSummary {
  Name: string;
  Type: string;
  Description?: string;
  DefaultValue?: string;
}

/** What a version's content says about it, derived once when the version is written. */
export interface DocumentFacts {
  schemaVersion: string;
  description: string | null;
  parameters: DocumentParameterSummary[];
  platformTypes: PlatformType[];
}

/**
 * Schema versions each type accepts. Command documents are checked in
 * depth; the others are kept as written once they parse to a map with a
 * schemaVersion their type knows (deeper checks come with their engines).
 */
const SCHEMA_VERSIONS: Record<DocumentType, readonly string[]> = {
  Command: COMMAND_SCHEMA_VERSIONS,
  Automation: ['0.3'],
  Session: ['1.0'],
  Package: ['2.0'],
  Policy: ['2.0'],
};

/**
 * Checks content for a document of the given type: size, syntax, schema
 * version and, for Command documents, every field. Errors are
 * MaxDocumentSizeExceeded, InvalidDocumentSchemaVersion or
 * InvalidDocumentContent with the reason and the field it concerns.
 */
export function examineDocument(type: DocumentType, content: string, format: DocumentFormat): DocumentFacts {
  if (Buffer.byteLength(content, 'utf8') > MAX_CONTENT_BYTES) {
    throw documentError('MaxDocumentSizeExceeded', `The content is larger than the ${MAX_CONTENT_BYTES / 1024} KB a document may hold.`);
  }
  const body = parseDocumentBody(content, format);
  const schemaVersion = body.schemaVersion as string;
  if (!SCHEMA_VERSIONS[type].includes(schemaVersion)) {
    throw documentError(
      'InvalidDocumentSchemaVersion',
      `schemaVersion ${schemaVersion} is not supported for ${type} documents; use ${SCHEMA_VERSIONS[type].join(' or ')}.`,
    );
  }
  try {
    if (type === 'Command') return commandFacts(readCommandDocument(body, schemaVersion));
    return structuralFacts(body, schemaVersion);
  } catch (err) {
    if (err instanceof ContentProblem) throw documentError('InvalidDocumentContent', err.message);
    throw err;
  }
}

/** The model of a stored Command document version, for rendering a command from it. */
export function commandDocumentOf(version: { content: string; format: DocumentFormat }): CommandDocument {
  const body = parseDocumentBody(version.content, version.format);
  try {
    return readCommandDocument(body, body.schemaVersion as string);
  } catch (err) {
    if (err instanceof ContentProblem) throw documentError('InvalidDocumentContent', err.message);
    throw err;
  }
}

/**
 * Parses content in its format to a map with a textual schemaVersion. An
 * unquoted YAML `schemaVersion: 1.0` is a number to a YAML reader; its
 * source text is what the author meant, so that is what is kept.
 */
export function parseDocumentBody(content: string, format: DocumentFormat): Record<string, unknown> {
  let body: unknown;
  let schemaVersionText: string | undefined;
  if (format === 'JSON') {
    try {
      body = JSON.parse(content);
    } catch (err) {
      const looksYaml = !/^\s*[{[]/.test(content);
      throw documentError(
        'InvalidDocumentContent',
        `The content is not valid JSON (${(err as Error).message})${looksYaml ? '; if it is YAML, set DocumentFormat to YAML' : ''}.`,
      );
    }
  } else {
    const doc = YAML.parseDocument(content, { uniqueKeys: true });
    if (doc.errors.length) throw documentError('InvalidDocumentContent', `The content is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
    try {
      // The alias limit keeps a small document from expanding into a huge one.
      body = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      throw documentError('InvalidDocumentContent', `The content cannot be read: ${(err as Error).message}`);
    }
    const node = doc.get('schemaVersion', true);
    if (YAML.isScalar(node) && typeof node.value === 'number') schemaVersionText = (node as { source?: string }).source;
  }
  if (!isPlainObject(body)) throw documentError('InvalidDocumentContent', 'The content must be a map with schemaVersion at its top.');
  const version = body.schemaVersion;
  if (typeof version === 'number') body.schemaVersion = schemaVersionText ?? String(version);
  else if (typeof version !== 'string' || version === '') throw documentError('InvalidDocumentContent', 'schemaVersion: is required, as a string such as "2.2".');
  return body;
}

/** The content in the format asked for: as written when it is already in it, converted otherwise. */
export function contentIn(content: string, from: DocumentFormat, to: DocumentFormat): string {
  if (from === to) return content;
  const body = parseDocumentBody(content, from);
  // lineWidth 0: long command lines stay on one line instead of being folded.
  return to === 'JSON' ? JSON.stringify(body, null, 2) : YAML.stringify(body, { lineWidth: 0 });
}

/** DocumentDescription.Hash: SHA-256 of the content, hex. */
export function contentHash(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

function commandFacts(doc: CommandDocument): DocumentFacts {
  return {
    schemaVersion: doc.schemaVersion,
    description: doc.description ?? null,
    parameters: doc.parameters.map((p) => ({ Name: p.name, Type: p.type, Description: p.description, DefaultValue: defaultValueText(p) })),
    platformTypes: doc.platformTypes,
  };
}

/** Automation, Session, Package and Policy documents: kept as written, summarized as far as their shape is plain. */
function structuralFacts(body: Record<string, unknown>, schemaVersion: string): DocumentFacts {
  if (body.description !== undefined && typeof body.description !== 'string') throw new ContentProblem('description: must be a string');
  if (body.parameters !== undefined && !isPlainObject(body.parameters)) throw new ContentProblem('parameters: must be a map from parameter name to its definition');
  const parameters = Object.entries((body.parameters as Record<string, unknown> | undefined) ?? {}).map(([name, raw]) => {
    const spec = isPlainObject(raw) ? raw : {};
    return {
      Name: name,
      Type: typeof spec.type === 'string' ? spec.type : 'String',
      Description: typeof spec.description === 'string' ? spec.description : undefined,
      DefaultValue: spec.default === undefined ? undefined : typeof spec.default === 'string' ? spec.default : JSON.stringify(spec.default),
    };
  });
  return { schemaVersion, description: (body.description as string | undefined) ?? null, parameters, platformTypes: [...PLATFORM_TYPES] };
}
