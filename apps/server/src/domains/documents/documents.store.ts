import type { ExpressionBuilder, Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../../storage/schema.js';
import type { Dialect } from '../../storage/database.js';
import type { Tag } from '../tags/tag-rules.js';
import { deleteResourceTags, upsertResourceTags } from '../tags/tags.store.js';
import type { DocumentFacts, DocumentParameterSummary } from './document-content.js';
import {
  DOCUMENT_TAG_RESOURCE_TYPE,
  MAX_DOCUMENT_VERSIONS,
  documentError,
  documentNotFound,
  resolveVersionNumber,
  versionNotFound,
  type DocumentFormat,
  type DocumentType,
  type PlatformType,
  type VersionSelector,
} from './document-rules.js';

/** A document as a whole: the versions it points at. */
export interface DocumentRecord {
  name: string;
  documentType: DocumentType;
  /** Self: the account's own; Amazon: a built-in. */
  owner: 'Self' | 'Amazon';
  defaultVersion: number;
  latestVersion: number;
  /** Epoch milliseconds. */
  createdAt: number;
}

/** One version of a document: its content and what the content says. */
export interface DocumentVersionRecord extends DocumentFacts {
  name: string;
  version: number;
  versionName: string | null;
  displayName: string | null;
  format: DocumentFormat;
  content: string;
  hash: string;
  targetType: string | null;
  createdAt: number;
}

export interface DocumentAndVersion {
  document: DocumentRecord;
  version: DocumentVersionRecord;
}

/** What CreateDocument and UpdateDocument write as a version, checked beforehand. */
export interface VersionDraft {
  versionName: string | null;
  displayName: string | null;
  format: DocumentFormat;
  content: string;
  hash: string;
  facts: DocumentFacts;
  targetType: string | null;
}

/** ListDocuments filters the database can apply (the Owner filter decides whether it is asked at all). */
export interface StoredDocumentQuery {
  /** Exclusive lower bound on the name (the paging cursor). */
  after?: string;
  limit: number;
  documentTypes?: string[];
  namePrefixes?: string[];
  platformTypes?: PlatformType[];
  targetTypes?: string[];
  /** Each entry must hold: the tag is present, with one of the values when values are given. */
  tags: { key: string; values?: string[] }[];
}

export interface DocumentsStoreOptions {
  db: Kysely<Database>;
  dialect: Dialect;
  now?: () => number;
}

/** Outbox event of every document change (DESIGN.md, "Events"). */
export const DOCUMENT_CHANGE_EVENT = 'document.change';

type Db = Kysely<Database> | Transaction<Database>;
type DocumentRow = Selectable<Database['documents']>;
type VersionRow = Selectable<Database['document_versions']>;

// Version numbers live in 32-bit integer columns; a larger number names no version (and PostgreSQL would refuse it).
const MAX_VERSION_NUMBER = 2_147_483_647;

/**
 * The account's own documents. Every change runs in one transaction that
 * first locks the document's row on PostgreSQL (SQLite runs one write
 * transaction at a time), so concurrent updates of a document queue up
 * and version numbers, the version limit and duplicate checks hold.
 */
export class DocumentsStore {
  private readonly db: Kysely<Database>;
  private readonly now: () => number;

  constructor(private readonly options: DocumentsStoreOptions) {
    this.db = options.db;
    this.now = options.now ?? Date.now;
  }

  /** Creates a document with its first version (1, also the default) and its tags. */
  async create(request: { name: string; documentType: DocumentType; draft: VersionDraft; tags: Tag[] }): Promise<DocumentAndVersion> {
    const at = this.now();
    return this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('documents')
        .values({ name: request.name, document_type: request.documentType, default_version: 1, latest_version: 1, last_version_number: 1, created_at: at })
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
        throw documentError('DocumentAlreadyExists', `Document with same name ${request.name} already exists.`);
      }
      // Nothing of an earlier document of the same name survives its deletion, but be sure of the tags.
      await deleteResourceTags(trx, DOCUMENT_TAG_RESOURCE_TYPE, request.name);
      await upsertResourceTags(trx, DOCUMENT_TAG_RESOURCE_TYPE, request.name, request.tags);
      const version = await this.insertVersion(trx, request.name, 1, request.draft, at);
      await recordChange(trx, at, { name: request.name, operation: 'Create', version: 1 });
      return { document: documentRecord((await readDocument(trx, request.name))!), version };
    });
  }

  /** The document, without any version. */
  async find(name: string): Promise<DocumentRecord | undefined> {
    const row = await readDocument(this.db, name);
    return row && documentRecord(row);
  }

  /**
   * The version a selector designates (the default one when it designates
   * none). With both a number and a name, the version must carry both.
   */
  async findVersion(name: string, selector: VersionSelector = {}): Promise<DocumentAndVersion> {
    const row = await readDocument(this.db, name);
    if (!row) throw documentNotFound(name);
    const document = documentRecord(row);
    const version = await this.selectVersion(this.db, document, selector);
    if (!version) throw versionNotFound(name, selector);
    return { document, version };
  }

  /**
   * Writes the next version of a document (UpdateDocument). Only the latest
   * version may be updated; `build` sees the document and its latest
   * version inside the transaction and returns the checked draft.
   */
  async addVersion(name: string, documentVersion: string | undefined, build: (current: DocumentAndVersion) => VersionDraft): Promise<DocumentAndVersion> {
    const at = this.now();
    return this.db.transaction().execute(async (trx) => {
      const document = await this.lock(trx, name);
      if (documentVersion !== undefined && resolveVersionNumber(documentVersion, document) !== document.latestVersion) {
        throw documentError(
          'InvalidDocumentVersion',
          `Only the latest version of ${name} (${document.latestVersion}) can be updated; ${documentVersion} is not it.`,
        );
      }
      const latest = (await this.selectVersion(trx, document, { documentVersion: String(document.latestVersion) }))!;
      const draft = build({ document, version: latest });

      const held = await trx
        .selectFrom('document_versions')
        .select((eb) => eb.fn.countAll().as('count'))
        .where('name', '=', name)
        .executeTakeFirstOrThrow();
      if (Number(held.count) >= MAX_DOCUMENT_VERSIONS) {
        throw documentError(
          'DocumentVersionLimitExceeded',
          `The document ${name} already has ${MAX_DOCUMENT_VERSIONS} versions, the most it may hold. Delete one or more versions and try again.`,
        );
      }
      const same = await trx.selectFrom('document_versions').select('version').where('name', '=', name).where('hash', '=', draft.hash).executeTakeFirst();
      if (same) {
        throw documentError('DuplicateDocumentContent', `The content is the same as version ${same.version} of ${name}. Change the content and try again.`);
      }
      if (draft.versionName !== null) await assertVersionNameFree(trx, name, draft.versionName);

      const row = await trx.selectFrom('documents').select('last_version_number').where('name', '=', name).executeTakeFirstOrThrow();
      const number = Number(row.last_version_number) + 1;
      const version = await this.insertVersion(trx, name, number, draft, at);
      await trx.updateTable('documents').set({ latest_version: number, last_version_number: number }).where('name', '=', name).execute();
      await recordChange(trx, at, { name, operation: 'Update', version: number });
      return { document: { ...document, latestVersion: number }, version };
    });
  }

  /** Makes a version the default one (UpdateDocumentDefaultVersion). */
  async setDefaultVersion(name: string, documentVersion: string): Promise<DocumentAndVersion> {
    const at = this.now();
    return this.db.transaction().execute(async (trx) => {
      const document = await this.lock(trx, name);
      const version = await this.selectVersion(trx, document, { documentVersion });
      if (!version) throw versionNotFound(name, { documentVersion });
      await trx.updateTable('documents').set({ default_version: version.version }).where('name', '=', name).execute();
      await recordChange(trx, at, { name, operation: 'UpdateDefaultVersion', version: version.version });
      return { document: { ...document, defaultVersion: version.version }, version };
    });
  }

  /**
   * Deletes a document with all its versions and tags, or, given a
   * selector, one version that is not the default one.
   */
  async remove(name: string, selector?: VersionSelector): Promise<void> {
    const at = this.now();
    await this.db.transaction().execute(async (trx) => {
      const document = await this.lock(trx, name);
      if (!selector) {
        await trx.deleteFrom('document_versions').where('name', '=', name).execute();
        await trx.deleteFrom('documents').where('name', '=', name).execute();
        await deleteResourceTags(trx, DOCUMENT_TAG_RESOURCE_TYPE, name);
        await recordChange(trx, at, { name, operation: 'Delete' });
        return;
      }
      const version = await this.selectVersion(trx, document, selector);
      if (!version) throw versionNotFound(name, selector);
      if (version.version === document.defaultVersion) {
        throw documentError(
          'InvalidDocumentOperation',
          `Version ${version.version} is the default version of ${name} and can't be deleted. Make another version the default, or delete the whole document.`,
        );
      }
      await trx.deleteFrom('document_versions').where('name', '=', name).where('version', '=', version.version).execute();
      if (version.version === document.latestVersion) {
        const left = await trx
          .selectFrom('document_versions')
          .select((eb) => eb.fn.max('version').as('latest'))
          .where('name', '=', name)
          .executeTakeFirstOrThrow();
        await trx.updateTable('documents').set({ latest_version: Number(left.latest) }).where('name', '=', name).execute();
      }
      await recordChange(trx, at, { name, operation: 'DeleteVersion', version: version.version });
    });
  }

  /** Documents in name order after a cursor, each with its default version, narrowed by the filters. */
  async list(query: StoredDocumentQuery): Promise<DocumentAndVersion[]> {
    let q = this.db
      .selectFrom('documents as d')
      .innerJoin('document_versions as v', (join) => join.onRef('v.name', '=', 'd.name').onRef('v.version', '=', 'd.default_version'))
      .selectAll('v')
      .select(['d.document_type', 'd.default_version', 'd.latest_version', 'd.last_version_number', 'd.created_at as document_created_at'])
      .orderBy('d.name')
      .limit(query.limit);
    if (query.after !== undefined) q = q.where('d.name', '>', query.after);
    if (query.documentTypes) q = q.where('d.document_type', 'in', query.documentTypes);
    if (query.targetTypes) q = q.where('v.target_type', 'in', query.targetTypes);
    const prefixes = query.namePrefixes;
    if (prefixes) {
      // Names use only [a-zA-Z0-9_.-], all below "~": [p, p + "~") holds exactly the names starting with p.
      q = q.where((eb) => eb.or(prefixes.map((p) => eb.and([eb('d.name', '>=', p), eb('d.name', '<', `${p}~`)]))));
    }
    const platforms = query.platformTypes;
    if (platforms) {
      // platform_types is a JSON array of fixed words, so the quoted word identifies an element.
      q = q.where((eb) => eb.or(platforms.map((p) => eb('v.platform_types', 'like', `%"${p}"%`))));
    }
    for (const tag of query.tags) q = q.where((eb) => hasTag(eb, tag));
    const rows = await q.execute();
    return rows.map((row) => ({
      document: documentRecord({
        name: row.name,
        document_type: row.document_type,
        default_version: row.default_version,
        latest_version: row.latest_version,
        last_version_number: row.last_version_number,
        created_at: row.document_created_at,
      }),
      version: versionRecord(row),
    }));
  }

  /** Versions of a document in number order after a cursor (none for a document that does not exist). */
  async versions(name: string, afterVersion: number, limit: number): Promise<DocumentVersionRecord[]> {
    const rows = await this.db
      .selectFrom('document_versions')
      .selectAll()
      .where('name', '=', name)
      .where('version', '>', afterVersion)
      .orderBy('version')
      .limit(limit)
      .execute();
    return rows.map(versionRecord);
  }

  /** Tags of the given documents, ordered by key. */
  async tagsOf(names: string[]): Promise<Map<string, Tag[]>> {
    const out = new Map<string, Tag[]>();
    if (names.length === 0) return out;
    const rows = await this.db
      .selectFrom('resource_tags')
      .select(['resource_id', 'tag_key', 'tag_value'])
      .where('resource_type', '=', DOCUMENT_TAG_RESOURCE_TYPE)
      .where('resource_id', 'in', names)
      .orderBy('tag_key')
      .execute();
    for (const row of rows) {
      const tags = out.get(row.resource_id) ?? [];
      tags.push({ Key: row.tag_key, Value: row.tag_value });
      out.set(row.resource_id, tags);
    }
    return out;
  }

  private async lock(trx: Transaction<Database>, name: string): Promise<DocumentRecord> {
    let q = trx.selectFrom('documents').selectAll().where('name', '=', name);
    if (this.options.dialect === 'postgres') q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row) throw documentNotFound(name);
    return documentRecord(row);
  }

  private async selectVersion(db: Db, document: DocumentRecord, selector: VersionSelector): Promise<DocumentVersionRecord | undefined> {
    const number = selector.documentVersion !== undefined ? resolveVersionNumber(selector.documentVersion, document) : undefined;
    if (number !== undefined && number > MAX_VERSION_NUMBER) return undefined;
    let q = db.selectFrom('document_versions').selectAll().where('name', '=', document.name);
    if (number !== undefined) q = q.where('version', '=', number);
    if (selector.versionName !== undefined) q = q.where('version_name', '=', selector.versionName);
    if (number === undefined && selector.versionName === undefined) q = q.where('version', '=', document.defaultVersion);
    const row = await q.executeTakeFirst();
    return row && versionRecord(row);
  }

  private async insertVersion(trx: Transaction<Database>, name: string, version: number, draft: VersionDraft, at: number): Promise<DocumentVersionRecord> {
    const row: VersionRow = {
      name,
      version,
      version_name: draft.versionName,
      display_name: draft.displayName,
      document_format: draft.format,
      content: draft.content,
      hash: draft.hash,
      schema_version: draft.facts.schemaVersion,
      description: draft.facts.description,
      parameters: JSON.stringify(draft.facts.parameters),
      platform_types: JSON.stringify(draft.facts.platformTypes),
      target_type: draft.targetType,
      created_at: at,
    };
    await trx.insertInto('document_versions').values(row).execute();
    return versionRecord(row);
  }
}

async function readDocument(db: Db, name: string): Promise<DocumentRow | undefined> {
  return db.selectFrom('documents').selectAll().where('name', '=', name).executeTakeFirst();
}

async function assertVersionNameFree(trx: Transaction<Database>, name: string, versionName: string): Promise<void> {
  const taken = await trx.selectFrom('document_versions').select('version').where('name', '=', name).where('version_name', '=', versionName).executeTakeFirst();
  if (taken) {
    throw documentError(
      'DuplicateDocumentVersionName',
      `The version name ${versionName} is already used by version ${taken.version} of ${name}. Specify a different version name, and try again.`,
    );
  }
}

function hasTag(eb: ExpressionBuilder<any, any>, tag: { key: string; values?: string[] }) {
  let sub = eb
    .selectFrom('resource_tags as t')
    .select('t.tag_key')
    .where('t.resource_type', '=', DOCUMENT_TAG_RESOURCE_TYPE)
    .whereRef('t.resource_id', '=', 'd.name')
    .where('t.tag_key', '=', tag.key);
  if (tag.values) sub = sub.where('t.tag_value', 'in', tag.values);
  return eb.exists(sub);
}

/** The `document.change` outbox event, in the caller's transaction. */
async function recordChange(trx: Db, at: number, payload: { name: string; operation: string; version?: number }): Promise<void> {
  await trx.insertInto('outbox_events').values({ event_type: DOCUMENT_CHANGE_EVENT, occurred_at: at, payload: JSON.stringify(payload) }).execute();
}

function documentRecord(row: DocumentRow): DocumentRecord {
  return {
    name: row.name,
    documentType: row.document_type as DocumentType,
    owner: 'Self',
    defaultVersion: Number(row.default_version),
    latestVersion: Number(row.latest_version),
    createdAt: Number(row.created_at),
  };
}

function versionRecord(row: VersionRow): DocumentVersionRecord {
  return {
    name: row.name,
    version: Number(row.version),
    versionName: row.version_name,
    displayName: row.display_name,
    format: row.document_format as DocumentFormat,
    content: row.content,
    hash: row.hash,
    schemaVersion: row.schema_version,
    description: row.description,
    parameters: JSON.parse(row.parameters) as DocumentParameterSummary[],
    platformTypes: JSON.parse(row.platform_types) as PlatformType[],
    targetType: row.target_type,
    createdAt: Number(row.created_at),
  };
}
