import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../../storage/schema.js';
import type { SecretBox } from '../../security/secret-box.js';
import { ServiceError } from '../../rpc/errors.js';
import { ParameterReadCache } from './parameter-read-cache.js';
import { parameterArn, parameterNameKey, parameterParentPath, type VersionSelector } from './parameter-names.js';
import type { ParameterType, StoredPolicy, StoredTier } from './parameter-values.js';
import { cancelTimers } from '../../scheduler/durable-timers.store.js';
import { policyTimerKeys, scheduleParameterPolicies } from './parameter-policies.js';

export interface ParametersStoreOptions {
  db: Kysely<Database>;
  secrets: SecretBox;
  region: string;
  accountId: string;
  /** Values of the read-only public parameters under /tend/service/. */
  publicParameters: Record<string, string>;
  now?: () => number;
  /** Cache single-parameter reads; only safe where this process is the only writer (SQLite). */
  cacheReads?: boolean;
}

/** A parameter's metadata at one version (the current one unless said otherwise). */
export interface ParameterRecord {
  nameKey: string;
  /** As written when the parameter was created ("/a" and "a" are one parameter). */
  name: string;
  arn: string;
  type: ParameterType;
  keyId: string | null;
  description: string | null;
  allowedPattern: string | null;
  tier: StoredTier;
  dataType: string;
  policies: StoredPolicy[];
  version: number;
  /** Epoch milliseconds. */
  lastModifiedDate: number;
  lastModifiedUser: string;
}

export interface ParameterVersionRecord extends ParameterRecord {
  /** Clear text for String/StringList, sealed for SecureString: go through `reveal`. */
  storedValue: string;
}

/** What PutParameter writes as the new version. `value` is clear text; the store seals SecureStrings. */
export interface ParameterDraft {
  type: ParameterType;
  value: string;
  keyId: string | null;
  description: string | null;
  allowedPattern: string | null;
  tier: StoredTier;
  dataType: string;
  policies: StoredPolicy[];
}

/** Who changes what, and when (the request's time, so tests can set it). */
export interface ChangeContext {
  user: string;
  at: number;
}

export interface PutParameterRequest {
  name: string;
  tags?: { Key: string; Value: string }[];
  change: ChangeContext;
  /**
   * Decides the new version from the current one (undefined on create),
   * inside the write transaction, so the rules see exactly what is replaced.
   * Throws to refuse the write.
   */
  build(current: ParameterRecord | undefined): ParameterDraft;
}

export type FindResult = { record: ParameterVersionRecord } | { missing: 'ParameterNotFound' | 'ParameterVersionNotFound' };

export interface ScanQuery {
  /** Exclusive lower bound on name_key (the paging cursor). */
  after?: string;
  limit: number;
  path?: { path: string; recursive: boolean };
  /** Merge in the public /tend/service parameters (path reads only). */
  includePublic?: boolean;
}

/** Systems Manager keeps this many versions; the oldest goes when a new one is written. */
export const MAX_VERSIONS = 100;
/** Labels one version may carry. */
export const MAX_LABELS_PER_VERSION = 10;
export const TAG_RESOURCE_TYPE = 'Parameter';
/** Version numbers are 32-bit integers in the database. */
export const MAX_VERSION_NUMBER = 2_147_483_647;
const PUBLIC_ROOT = '/tend';

type Db = Kysely<Database> | Transaction<Database>;
type ParameterRow = Selectable<Database['parameters']>;
type VersionRow = Selectable<Database['parameter_versions']>;

/** Thrown inside a create transaction that lost a race with another create of the same name. */
class CreateRace extends Error {}

/**
 * Parameter Store persistence. Every multi-row change runs in one
 * transaction that starts by locking the parameter's row, so concurrent
 * writers of one parameter queue up on both databases instead of
 * interleaving. Values are sealed before they reach the database.
 */
export class ParametersStore {
  private readonly db: Kysely<Database>;
  private readonly now: () => number;
  private readonly publicRecords: Map<string, ParameterVersionRecord>;
  private readonly cache: ParameterReadCache | undefined;

  constructor(readonly options: ParametersStoreOptions) {
    this.db = options.db;
    this.cache = options.cacheReads ? new ParameterReadCache() : undefined;
    this.now = options.now ?? Date.now;
    const publishedAt = this.now();
    this.publicRecords = new Map(
      Object.entries(options.publicParameters).map(([name, value]) => [
        name,
        {
          nameKey: name,
          name,
          arn: this.arn(name),
          type: 'String',
          keyId: null,
          description: null,
          allowedPattern: null,
          tier: 'Standard',
          dataType: 'text',
          policies: [],
          version: 1,
          lastModifiedDate: publishedAt,
          lastModifiedUser: `arn:aws:iam::${options.accountId}:root`,
          storedValue: value,
        },
      ]),
    );
  }

  /** The parameter's (or hierarchy's) ARN in this region and account. */
  arn(name: string): string {
    return parameterArn(this.options.region, this.options.accountId, name);
  }

  /** The value to hand out: SecureStrings decrypted only when asked, otherwise their sealed text. */
  reveal(record: ParameterVersionRecord, withDecryption: boolean): string {
    if (record.type !== 'SecureString' || !withDecryption) return record.storedValue;
    return this.options.secrets.decrypt(record.storedValue, sealContext(record.nameKey, record.version));
  }

  /** One version of a parameter: the current one, or the one a version number or label selects. */
  async find(nameKey: string, selector?: VersionSelector): Promise<FindResult> {
    const published = this.publicRecords.get(nameKey);
    if (published) {
      const matches = !selector || ('version' in selector && selector.version === 1);
      return matches ? { record: published } : { missing: 'ParameterVersionNotFound' };
    }
    if (!this.cache) return this.findInDatabase(nameKey, selector);
    const selectorKey = !selector ? '' : 'version' in selector ? `#${selector.version}` : `@${selector.label}`;
    const cached = this.cache.get(nameKey, selectorKey);
    if (cached) return cached;
    const epoch = this.cache.begin();
    const result = await this.findInDatabase(nameKey, selector);
    if ('record' in result) this.cache.set(nameKey, selectorKey, result, epoch);
    return result;
  }

  private async findInDatabase(nameKey: string, selector?: VersionSelector): Promise<FindResult> {
    if (selector && 'version' in selector && selector.version > MAX_VERSION_NUMBER) {
      // Beyond the column's range: no such version, and not a query PostgreSQL would accept.
      return this.whatIsMissing(nameKey);
    }
    let q = this.db
      .selectFrom('parameter_versions as v')
      .innerJoin('parameters as p', 'p.name_key', 'v.name_key')
      .selectAll('v')
      .select('p.name')
      .where('v.name_key', '=', nameKey);
    if (!selector) q = q.whereRef('v.version', '=', 'p.version');
    else if ('version' in selector) q = q.where('v.version', '=', selector.version);
    else {
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('parameter_labels as l')
            .select('l.label')
            .whereRef('l.name_key', '=', 'v.name_key')
            .whereRef('l.version', '=', 'v.version')
            .where('l.label', '=', selector.label),
        ),
      );
    }
    const row = await q.executeTakeFirst();
    if (row) return { record: this.versionRecord(row, row.name) };
    return this.whatIsMissing(nameKey);
  }

  private async whatIsMissing(nameKey: string): Promise<FindResult> {
    const exists = await this.db.selectFrom('parameters').select('name_key').where('name_key', '=', nameKey).executeTakeFirst();
    return { missing: exists ? 'ParameterVersionNotFound' : 'ParameterNotFound' };
  }

  /** Given versions of several parameters, keyed by `versionKey`. */
  async readVersions(refs: { nameKey: string; version: number }[]): Promise<Map<string, ParameterVersionRecord>> {
    const found = new Map<string, ParameterVersionRecord>();
    const stored = refs.filter((ref) => {
      const published = this.publicRecords.get(ref.nameKey);
      if (published && ref.version === 1) found.set(versionKey(ref), published);
      return !published;
    });
    if (stored.length === 0) return found;
    const rows = await this.db
      .selectFrom('parameter_versions as v')
      .innerJoin('parameters as p', 'p.name_key', 'v.name_key')
      .selectAll('v')
      .select('p.name')
      .where((eb) => eb.or(stored.map((ref) => eb.and([eb('v.name_key', '=', ref.nameKey), eb('v.version', '=', ref.version)]))))
      .execute();
    for (const row of rows) found.set(versionKey({ nameKey: row.name_key, version: row.version }), this.versionRecord(row, row.name));
    return found;
  }

  /**
   * Current metadata of parameters in name_key (byte) order after a cursor,
   * optionally within a hierarchy. Callers filter in code and page on.
   */
  async scan(query: ScanQuery): Promise<ParameterRecord[]> {
    let q = this.db.selectFrom('parameters').selectAll().orderBy('name_key').limit(query.limit);
    if (query.after !== undefined) q = q.where('name_key', '>', query.after);
    const path = query.path;
    if (path && !path.recursive) q = q.where('parent_path', '=', path.path);
    if (path && path.recursive && path.path !== '/') {
      // Every name below "/x" sorts in ["/x/", "/x0"): "0" is the byte after "/".
      q = q.where('name_key', '>=', `${path.path}/`).where('name_key', '<', `${path.path}0`);
    }
    const rows = (await q.execute()).map((row) => this.parameterRecord(row));
    if (!query.includePublic || !path || !isWithin(path.path, PUBLIC_ROOT)) return rows;

    const published = [...this.publicRecords.values()].filter(
      (r) => (query.after === undefined || r.nameKey > query.after) && isUnderPath(r, path.path, path.recursive),
    );
    return [...rows, ...published].sort((a, b) => (a.nameKey < b.nameKey ? -1 : a.nameKey > b.nameKey ? 1 : 0)).slice(0, query.limit);
  }

  /** Versions oldest first, after a version number, with their labels. */
  async history(nameKey: string, afterVersion: number, limit: number): Promise<(ParameterVersionRecord & { labels: string[] })[] | undefined> {
    const published = this.publicRecords.get(nameKey);
    if (published) return afterVersion < 1 ? [{ ...published, labels: [] }] : [];
    const parameter = await this.db.selectFrom('parameters').select('name').where('name_key', '=', nameKey).executeTakeFirst();
    if (!parameter) return undefined;
    const rows = await this.db
      .selectFrom('parameter_versions')
      .selectAll()
      .where('name_key', '=', nameKey)
      .where('version', '>', afterVersion)
      .orderBy('version')
      .limit(limit)
      .execute();
    const labels = await this.labelsOf([nameKey]);
    return rows.map((row) => ({
      ...this.versionRecord(row, parameter.name),
      labels: (labels.get(nameKey) ?? []).filter((l) => l.version === row.version).map((l) => l.label),
    }));
  }

  /** Every label of the given parameters, with the version it points at. */
  async labelsOf(nameKeys: string[]): Promise<Map<string, { label: string; version: number }[]>> {
    const out = new Map<string, { label: string; version: number }[]>();
    if (nameKeys.length === 0) return out;
    const rows = await this.db.selectFrom('parameter_labels').selectAll().where('name_key', 'in', nameKeys).orderBy('label').execute();
    for (const row of rows) pushTo(out, row.name_key, { label: row.label, version: row.version });
    return out;
  }

  /** Tags of the given parameters. */
  async tagsOf(nameKeys: string[]): Promise<Map<string, Map<string, string>>> {
    const out = new Map<string, Map<string, string>>();
    if (nameKeys.length === 0) return out;
    const rows = await this.db
      .selectFrom('resource_tags')
      .selectAll()
      .where('resource_type', '=', TAG_RESOURCE_TYPE)
      .where('resource_id', 'in', nameKeys)
      .execute();
    for (const row of rows) {
      const tags = out.get(row.resource_id) ?? new Map<string, string>();
      tags.set(row.tag_key, row.tag_value);
      out.set(row.resource_id, tags);
    }
    return out;
  }

  /**
   * Writes a new version (version 1 on create). At the 101st version the
   * oldest is dropped, unless a label holds it: then nothing is written.
   */
  async put(request: PutParameterRequest): Promise<{ version: number; tier: StoredTier }> {
    return this.invalidating([parameterNameKey(request.name)], () => this.putInDatabase(request));
  }

  /** Runs a write, then drops cached reads of the parameters it touched, whether it committed or not. */
  private async invalidating<T>(nameKeys: string[], write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } finally {
      this.cache?.invalidate(nameKeys);
    }
  }

  private async putInDatabase(request: PutParameterRequest): Promise<{ version: number; tier: StoredTier }> {
    const nameKey = parameterNameKey(request.name);
    // A create that races another create of the same name retries once it
    // can see the winner, and then answers like any write after it.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction().execute((trx) => this.putIn(trx, nameKey, request));
      } catch (err) {
        if (!(err instanceof CreateRace)) throw err;
        if (attempt >= 2) throw new ServiceError('TooManyUpdates', `Too many concurrent updates of ${request.name}; try again.`);
      }
    }
  }

  private async putIn(trx: Transaction<Database>, nameKey: string, request: PutParameterRequest): Promise<{ version: number; tier: StoredTier }> {
    const locked = await lockParameter(trx, nameKey);
    const current = locked ? this.parameterRecord(locked) : undefined;
    const draft = request.build(current);
    const version = (current?.version ?? 0) + 1;
    const { user, at } = request.change;
    const name = current?.name ?? request.name;

    const metadata = {
      type: draft.type,
      key_id: draft.keyId,
      description: draft.description,
      allowed_pattern: draft.allowedPattern,
      tier: draft.tier,
      data_type: draft.dataType,
      policies: draft.policies.length ? JSON.stringify(draft.policies) : null,
      last_modified_date: at,
      last_modified_user: user,
    };

    if (current) {
      await this.dropOldestVersionIfFull(trx, current);
      await trx.updateTable('parameters').set({ ...metadata, version }).where('name_key', '=', nameKey).execute();
    } else {
      const inserted = await trx
        .insertInto('parameters')
        .values({ name_key: nameKey, name, parent_path: parameterParentPath(nameKey), ...metadata, version })
        .onConflict((oc) => oc.column('name_key').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) throw new CreateRace();
      // Tags of a parameter are its creation's; nothing of an older namesake survives.
      await trx.deleteFrom('resource_tags').where('resource_type', '=', TAG_RESOURCE_TYPE).where('resource_id', '=', nameKey).execute();
      await trx.deleteFrom('parameter_labels').where('name_key', '=', nameKey).execute();
      if (request.tags?.length) {
        await trx
          .insertInto('resource_tags')
          .values(request.tags.map((t) => ({ resource_type: TAG_RESOURCE_TYPE, resource_id: nameKey, tag_key: t.Key, tag_value: t.Value })))
          .execute();
      }
    }

    const value = draft.type === 'SecureString' ? this.options.secrets.encrypt(draft.value, sealContext(nameKey, version)) : draft.value;
    await trx.insertInto('parameter_versions').values({ name_key: nameKey, version, value, ...metadata }).execute();
    await recordChange(trx, at, { name, version, type: draft.type, operation: current ? 'Update' : 'Create' });
    // Most parameters never had a policy: they pay nothing for the timers.
    if (draft.policies.length || current?.policies.length) await scheduleParameterPolicies(trx, nameKey, draft.policies, at, this.now());
    return { version, tier: draft.tier };
  }

  private async dropOldestVersionIfFull(trx: Transaction<Database>, current: ParameterRecord): Promise<void> {
    const kept = await trx
      .selectFrom('parameter_versions')
      .select((eb) => [eb.fn.countAll().as('count'), eb.fn.min('version').as('oldest')])
      .where('name_key', '=', current.nameKey)
      .executeTakeFirstOrThrow();
    if (Number(kept.count) < MAX_VERSIONS) return;
    const oldest = Number(kept.oldest);
    const label = await trx
      .selectFrom('parameter_labels')
      .select('label')
      .where('name_key', '=', current.nameKey)
      .where('version', '=', oldest)
      .executeTakeFirst();
    if (label) {
      throw new ServiceError(
        'ParameterMaxVersionLimitExceeded',
        `You attempted to create a new version of ${current.name} by calling the PutParameter API with the overwrite flag. ` +
          `Version ${oldest}, the oldest version, can't be deleted because it has a label associated with it. ` +
          'Move the label to another version of the parameter, and try again.',
      );
    }
    await trx.deleteFrom('parameter_versions').where('name_key', '=', current.nameKey).where('version', '=', oldest).execute();
  }

  /** Deletes parameters with all their versions, labels and tags; returns the name keys that existed. */
  async remove(nameKeys: string[], change: ChangeContext): Promise<Set<string>> {
    if (nameKeys.length === 0) return new Set();
    return this.invalidating(nameKeys, () => this.db.transaction().execute((trx) => this.removeIn(trx, nameKeys, change)));
  }

  /**
   * `remove` inside the caller's transaction (an Expiration policy deletes
   * this way); the caller calls `forgetCached` once it has committed.
   */
  async removeIn(trx: Kysely<Database>, nameKeys: string[], change: ChangeContext): Promise<Set<string>> {
    const deleted = await trx.deleteFrom('parameters').where('name_key', 'in', nameKeys).returning(['name_key', 'name', 'version', 'type']).execute();
    const keys = deleted.map((row) => row.name_key);
    if (keys.length) {
      await trx.deleteFrom('parameter_versions').where('name_key', 'in', keys).execute();
      await trx.deleteFrom('parameter_labels').where('name_key', 'in', keys).execute();
      await trx.deleteFrom('resource_tags').where('resource_type', '=', TAG_RESOURCE_TYPE).where('resource_id', 'in', keys).execute();
      await cancelTimers(trx, policyTimerKeys(keys));
    }
    for (const row of deleted) await recordChange(trx, change.at, { name: row.name, version: row.version, type: row.type, operation: 'Delete' });
    return new Set(keys);
  }

  /** Locks a parameter's row in the caller's transaction and answers its current metadata (undefined if it is gone). */
  async lockForUpdate(trx: Kysely<Database>, nameKey: string): Promise<ParameterRecord | undefined> {
    const row = await lockParameter(trx, nameKey);
    return row ? this.parameterRecord(row) : undefined;
  }

  /**
   * Records what became of the current version's policies (their status),
   * on the parameter and on that version, in the caller's transaction. Not a
   * change of the parameter: its version and last-modified stay.
   */
  async recordPolicyOutcome(trx: Kysely<Database>, current: ParameterRecord, policies: StoredPolicy[]): Promise<void> {
    const text = policies.length ? JSON.stringify(policies) : null;
    await trx.updateTable('parameters').set({ policies: text }).where('name_key', '=', current.nameKey).execute();
    await trx.updateTable('parameter_versions').set({ policies: text }).where('name_key', '=', current.nameKey).where('version', '=', current.version).execute();
  }

  /** Drops cached reads of these parameters, after a write made elsewhere (in a caller's transaction) has committed. */
  forgetCached(nameKeys: string[]): void {
    this.cache?.invalidate(nameKeys);
  }

  /**
   * Attaches labels to a version (the current one by default). A label on
   * another version of the parameter moves here. Returns the version.
   */
  async label(nameKey: string, requestedVersion: number | undefined, labels: string[], change: ChangeContext): Promise<number> {
    return this.invalidating([nameKey], () => this.db.transaction().execute(async (trx) => {
      const current = await this.lockExisting(trx, nameKey);
      const version = requestedVersion ?? current.version;
      await assertVersionExists(trx, current, version);
      if (labels.length === 0) return version;
      for (const label of labels) {
        await trx
          .insertInto('parameter_labels')
          .values({ name_key: nameKey, label, version })
          .onConflict((oc) => oc.columns(['name_key', 'label']).doUpdateSet({ version }))
          .execute();
      }
      const onVersion = await trx
        .selectFrom('parameter_labels')
        .select((eb) => eb.fn.countAll().as('count'))
        .where('name_key', '=', nameKey)
        .where('version', '=', version)
        .executeTakeFirstOrThrow();
      if (Number(onVersion.count) > MAX_LABELS_PER_VERSION) {
        throw new ServiceError(
          'ParameterVersionLabelLimitExceeded',
          `A parameter version can have maximum ${MAX_LABELS_PER_VERSION} labels. Move one or more labels to another version and try again.`,
        );
      }
      await recordChange(trx, change.at, { name: current.name, version, type: current.type, operation: 'LabelParameterVersion', labels });
      return version;
    }));
  }

  /** Removes labels from one version; returns those removed and those that were not on it. */
  async unlabel(nameKey: string, version: number, labels: string[], change: ChangeContext): Promise<{ removed: string[]; notOnVersion: string[] }> {
    return this.invalidating([nameKey], () => this.db.transaction().execute(async (trx) => {
      const current = await this.lockExisting(trx, nameKey);
      await assertVersionExists(trx, current, version);
      const present = new Set(
        (
          await trx
            .selectFrom('parameter_labels')
            .select('label')
            .where('name_key', '=', nameKey)
            .where('version', '=', version)
            .where('label', 'in', labels)
            .execute()
        ).map((row) => row.label),
      );
      const removed = labels.filter((label) => present.has(label));
      const notOnVersion = labels.filter((label) => !present.has(label));
      if (removed.length) {
        await trx.deleteFrom('parameter_labels').where('name_key', '=', nameKey).where('version', '=', version).where('label', 'in', removed).execute();
        await recordChange(trx, change.at, { name: current.name, version, type: current.type, operation: 'UnlabelParameterVersion', labels: removed });
      }
      return { removed, notOnVersion };
    }));
  }

  private async lockExisting(trx: Transaction<Database>, nameKey: string): Promise<ParameterRecord> {
    const row = await lockParameter(trx, nameKey);
    if (!row) throw new ServiceError('ParameterNotFound', `Parameter ${nameKey} not found.`);
    return this.parameterRecord(row);
  }

  private parameterRecord(row: ParameterRow): ParameterRecord {
    return {
      nameKey: row.name_key,
      name: row.name,
      arn: this.arn(row.name),
      type: row.type as ParameterType,
      keyId: row.key_id,
      description: row.description,
      allowedPattern: row.allowed_pattern,
      tier: row.tier as StoredTier,
      dataType: row.data_type,
      policies: row.policies ? (JSON.parse(row.policies) as StoredPolicy[]) : [],
      version: Number(row.version),
      lastModifiedDate: Number(row.last_modified_date),
      lastModifiedUser: row.last_modified_user,
    };
  }

  private versionRecord(row: VersionRow, name: string): ParameterVersionRecord {
    return { ...this.parameterRecord({ ...row, name, parent_path: parameterParentPath(row.name_key) }), storedValue: row.value };
  }
}

/** Map key for one version of one parameter. */
export function versionKey(ref: { nameKey: string; version: number }): string {
  return `${ref.nameKey}\u0000${ref.version}`;
}

/** Binds a sealed value to its parameter and version, so it cannot be replayed into another row. */
function sealContext(nameKey: string, version: number): string {
  return `parameter:${nameKey}:${version}`;
}

/**
 * Reads the parameter's row and takes its row lock (a no-op update) so
 * concurrent writers of the same parameter wait on PostgreSQL; SQLite runs
 * one write transaction at a time anyway.
 */
async function lockParameter(trx: Db, nameKey: string): Promise<ParameterRow | undefined> {
  return trx
    .updateTable('parameters')
    .set((eb) => ({ version: eb.ref('version') }))
    .where('name_key', '=', nameKey)
    .returningAll()
    .executeTakeFirst();
}

async function assertVersionExists(trx: Db, current: ParameterRecord, version: number): Promise<void> {
  const row = await trx
    .selectFrom('parameter_versions')
    .select('version')
    .where('name_key', '=', current.nameKey)
    .where('version', '=', version)
    .executeTakeFirst();
  if (!row) throw new ServiceError('ParameterVersionNotFound', `Systems Manager could not find version ${version} of ${current.name}.`);
}

/** The `parameter.change` outbox event, in the caller's transaction. Never carries a value. */
async function recordChange(
  trx: Db,
  at: number,
  payload: { name: string; version: number; type: string; operation: string; labels?: string[] },
): Promise<void> {
  await trx.insertInto('outbox_events').values({ event_type: 'parameter.change', occurred_at: at, payload: JSON.stringify(payload) }).execute();
}

/** Public parameters show up only in reads aimed at /tend, never mixed into a listing of "/". */
function isWithin(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}/`);
}

/** Whether a parameter sits in a hierarchy: directly, or anywhere below it when recursive. */
export function isUnderPath(record: { nameKey: string }, path: string, recursive: boolean): boolean {
  if (!recursive) return parameterParentPath(record.nameKey) === path;
  return path === '/' || record.nameKey.startsWith(`${path}/`);
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
