import { sql, type Kysely, type Selectable } from 'kysely';
import type { OperatingSystem, PatchBaselineRules } from '@tend/protocol';
import type { Database } from '../../storage/schema.js';
import type { Dialect } from '../../storage/database.js';
import { ServiceError } from '../../rpc/errors.js';
import type { Tag } from '../tags/tag-rules.js';
import { deleteResourceTags, upsertResourceTags } from '../tags/tags.store.js';
import {
  MAX_PATCH_BASELINES,
  MAX_PATCH_GROUPS_PER_BASELINE,
  PATCH_BASELINE_TAG_RESOURCE,
  baselineNotFound,
  newBaselineId,
  normalizeRules,
  predefinedBaseline,
  predefinedBaselineFor,
  predefinedReadOnly,
  shortBaselineId,
  type BaselineRecord,
} from './patch-baseline-rules.js';

/** Outbox event of every change to baselines, defaults and patch groups (DESIGN.md, "Events"). */
export const PATCH_BASELINE_CHANGE_EVENT = 'patch.baseline.change';

type Db = Kysely<Database>;
type BaselineRow = Selectable<Database['patch_baselines']>;

/** What Create and UpdatePatchBaseline write, validated beforehand. */
export interface BaselineDraft {
  name: string;
  description?: string;
  rules: PatchBaselineRules;
}

/** A patch group registration with its baseline. */
export interface PatchGroupRegistration {
  patchGroup: string;
  operatingSystem: OperatingSystem;
  baseline: BaselineRecord;
}

export interface PatchBaselinesStoreOptions {
  db: Db;
  dialect: Dialect;
  now?: () => number;
}

// Every change to baselines, defaults and registrations takes this lock on
// PostgreSQL (SQLite runs one write transaction at a time): the checks a
// change depends on (in use by a patch group, the quotas, a ClientToken)
// then hold until it commits, across replicas. These changes are rare.
const CHANGE_LOCK = 746_507;

/** A stored baseline row as a record. */
export function recordOf(row: BaselineRow): BaselineRecord {
  const rules = normalizeRules(JSON.parse(row.rules) as PatchBaselineRules);
  return {
    baselineId: row.baseline_id,
    owner: 'Self',
    name: row.name,
    ...(row.description !== null ? { description: row.description } : {}),
    operatingSystem: rules.OperatingSystem,
    rules,
    createdAt: Number(row.created_at),
    modifiedAt: Number(row.modified_at),
  };
}

/**
 * The baseline a BaselineId designates (the short id or an ARN, predefined
 * or the account's own), or undefined. For the reporting side
 * (GetDeployablePatchSnapshotForInstance, DescribeEffectivePatchesForPatchBaseline).
 */
export async function baselineById(db: Db, id: string): Promise<BaselineRecord | undefined> {
  const short = shortBaselineId(id);
  if (!short) return undefined;
  const predefined = predefinedBaseline(short);
  if (predefined) return predefined;
  const row = await db.selectFrom('patch_baselines').selectAll().where('baseline_id', '=', short).executeTakeFirst();
  return row && recordOf(row);
}

/** The account's own baselines among `ids` (short ids), by id. */
export async function ownBaselines(db: Db, ids: string[]): Promise<Map<string, BaselineRecord>> {
  const out = new Map<string, BaselineRecord>();
  const wanted = [...new Set(ids)].filter((id) => !predefinedBaseline(id));
  for (let i = 0; i < wanted.length; i += 500) {
    const rows = await db.selectFrom('patch_baselines').selectAll().where('baseline_id', 'in', wanted.slice(i, i + 500)).execute();
    for (const row of rows) out.set(row.baseline_id, recordOf(row));
  }
  return out;
}

/** The default baseline of every operating system that has one: the registered one, else the predefined one. */
export async function defaultBaselines(db: Db): Promise<Map<OperatingSystem, BaselineRecord>> {
  const rows = await db
    .selectFrom('patch_default_baselines')
    .leftJoin('patch_baselines', 'patch_baselines.baseline_id', 'patch_default_baselines.baseline_id')
    .select([
      'patch_default_baselines.operating_system as os',
      'patch_default_baselines.baseline_id as default_id',
      'patch_baselines.baseline_id',
      'patch_baselines.name',
      'patch_baselines.description',
      'patch_baselines.operating_system',
      'patch_baselines.rules',
      'patch_baselines.client_token',
      'patch_baselines.request_hash',
      'patch_baselines.created_at',
      'patch_baselines.modified_at',
    ])
    .execute();
  const out = new Map<OperatingSystem, BaselineRecord>();
  for (const p of predefinedOperatingSystems()) out.set(p.operatingSystem, p);
  for (const r of rows) {
    const record = predefinedBaseline(r.default_id) ?? (r.baseline_id !== null ? recordOf(r as BaselineRow) : undefined);
    if (record) out.set(r.os as OperatingSystem, record);
  }
  return out;
}

function predefinedOperatingSystems(): BaselineRecord[] {
  const list: BaselineRecord[] = [];
  for (const os of ['DEBIAN', 'UBUNTU', 'REDHAT_ENTERPRISE_LINUX', 'ROCKY_LINUX', 'ALMA_LINUX', 'CENTOS', 'AMAZON_LINUX_2023', 'SUSE'] as const) {
    const b = predefinedBaselineFor(os);
    if (b) list.push(b);
  }
  return list;
}

/**
 * Patch baselines, patch group registrations and default baselines. The
 * predefined baselines are served from code and are read-only; the
 * account's own are rows. Every change is one transaction with its outbox
 * event, under the change lock.
 */
export class PatchBaselinesStore {
  private readonly db: Db;
  private readonly now: () => number;

  constructor(private readonly options: PatchBaselinesStoreOptions) {
    this.db = options.db;
    this.now = options.now ?? Date.now;
  }

  private async change<T>(work: (trx: Db, at: number) => Promise<T>): Promise<T> {
    const at = this.now();
    return this.db.transaction().execute(async (trx) => {
      if (this.options.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${CHANGE_LOCK})`.execute(trx);
      return work(trx, at);
    });
  }

  private async event(trx: Db, at: number, payload: Record<string, unknown>): Promise<void> {
    await trx.insertInto('outbox_events').values({ event_type: PATCH_BASELINE_CHANGE_EVENT, occurred_at: at, payload: JSON.stringify(payload) }).execute();
  }

  /**
   * Creates a baseline. A repeated ClientToken with the same request answers
   * the baseline it created; with another request it is
   * IdempotentParameterMismatch, as Systems Manager does.
   */
  async create(request: { draft: BaselineDraft; tags: Tag[]; clientToken?: string; requestHash: string }): Promise<BaselineRecord> {
    return this.change(async (trx, at) => {
      if (request.clientToken !== undefined) {
        const earlier = await trx.selectFrom('patch_baselines').selectAll().where('client_token', '=', request.clientToken).executeTakeFirst();
        if (earlier) {
          if (earlier.request_hash !== request.requestHash) {
            throw new ServiceError('IdempotentParameterMismatch', 'The ClientToken was used before with different parameters; use a new token for a new request.');
          }
          return recordOf(earlier);
        }
      }
      const held = await trx.selectFrom('patch_baselines').select((eb) => eb.fn.countAll().as('count')).executeTakeFirstOrThrow();
      if (Number(held.count) >= MAX_PATCH_BASELINES) {
        throw new ServiceError('ResourceLimitExceededException', `The account already has ${MAX_PATCH_BASELINES} patch baselines, the most it may hold. Delete one and try again.`);
      }
      const id = newBaselineId();
      const rules = normalizeRules(request.draft.rules);
      await trx
        .insertInto('patch_baselines')
        .values({
          baseline_id: id,
          name: request.draft.name,
          description: request.draft.description ?? null,
          operating_system: rules.OperatingSystem,
          rules: JSON.stringify(rules),
          client_token: request.clientToken ?? null,
          request_hash: request.clientToken !== undefined ? request.requestHash : null,
          created_at: at,
          modified_at: at,
        })
        .execute();
      await deleteResourceTags(trx, PATCH_BASELINE_TAG_RESOURCE, id);
      await upsertResourceTags(trx, PATCH_BASELINE_TAG_RESOURCE, id, request.tags);
      await this.event(trx, at, { operation: 'Create', baselineId: id, operatingSystem: rules.OperatingSystem });
      return recordOf((await trx.selectFrom('patch_baselines').selectAll().where('baseline_id', '=', id).executeTakeFirstOrThrow()));
    });
  }

  /** The baseline a BaselineId designates, or DoesNotExistException. */
  async get(id: string): Promise<BaselineRecord> {
    const found = await baselineById(this.db, id);
    if (!found) throw baselineNotFound(id);
    return found;
  }

  /** The account's own baselines. */
  async listOwn(): Promise<BaselineRecord[]> {
    return (await this.db.selectFrom('patch_baselines').selectAll().execute()).map(recordOf);
  }

  /**
   * Rewrites an own baseline; `build` sees the current one inside the
   * transaction and returns the validated draft (its OperatingSystem is kept).
   */
  async update(id: string, build: (current: BaselineRecord) => BaselineDraft): Promise<BaselineRecord> {
    return this.change(async (trx, at) => {
      const current = await this.own(trx, id, 'updated');
      const draft = build(current);
      const rules = normalizeRules({ ...draft.rules, OperatingSystem: current.operatingSystem });
      await trx
        .updateTable('patch_baselines')
        .set({ name: draft.name, description: draft.description ?? null, rules: JSON.stringify(rules), modified_at: at })
        .where('baseline_id', '=', current.baselineId)
        .execute();
      await this.event(trx, at, { operation: 'Update', baselineId: current.baselineId, operatingSystem: current.operatingSystem });
      return recordOf(await trx.selectFrom('patch_baselines').selectAll().where('baseline_id', '=', current.baselineId).executeTakeFirstOrThrow());
    });
  }

  /** Deletes an own baseline that is neither a default nor registered for a patch group. */
  async delete(id: string): Promise<string> {
    return this.change(async (trx, at) => {
      const current = await this.own(trx, id, 'deleted');
      const key = current.baselineId;
      const asDefault = await trx.selectFrom('patch_default_baselines').select('operating_system').where('baseline_id', '=', key).executeTakeFirst();
      if (asDefault) {
        throw new ServiceError('ResourceInUseException', `Patch baseline ${key} is the default baseline for ${asDefault.operating_system}; register another default before deleting it.`);
      }
      const groups = await trx.selectFrom('patch_group_baselines').select('patch_group').where('baseline_id', '=', key).orderBy('patch_group').limit(5).execute();
      if (groups.length) {
        throw new ServiceError(
          'ResourceInUseException',
          `Patch baseline ${key} is registered for patch group(s) ${groups.map((g) => g.patch_group).join(', ')}; deregister them before deleting it.`,
        );
      }
      await trx.deleteFrom('patch_baselines').where('baseline_id', '=', key).execute();
      await deleteResourceTags(trx, PATCH_BASELINE_TAG_RESOURCE, key);
      await this.event(trx, at, { operation: 'Delete', baselineId: key, operatingSystem: current.operatingSystem });
      return key;
    });
  }

  /** Makes a baseline the default for its operating system. */
  async registerDefault(id: string): Promise<BaselineRecord> {
    return this.change(async (trx, at) => {
      const baseline = await baselineById(trx, id);
      if (!baseline) throw baselineNotFound(id);
      const os = baseline.operatingSystem;
      await trx.deleteFrom('patch_default_baselines').where('operating_system', '=', os).execute();
      // No row is the predefined baseline: registering it again is going back to it.
      if (predefinedBaselineFor(os)?.baselineId !== baseline.baselineId) {
        await trx.insertInto('patch_default_baselines').values({ operating_system: os, baseline_id: baseline.baselineId, registered_at: at }).execute();
      }
      await this.event(trx, at, { operation: 'RegisterDefault', baselineId: baseline.baselineId, operatingSystem: os });
      return baseline;
    });
  }

  /** The default baseline of an operating system, if it has one. */
  async defaultFor(os: OperatingSystem): Promise<BaselineRecord | undefined> {
    return (await defaultBaselines(this.db)).get(os);
  }

  async defaults(): Promise<Map<OperatingSystem, BaselineRecord>> {
    return defaultBaselines(this.db);
  }

  /** Patch groups a baseline is registered for, in name order. */
  async patchGroupsOf(shortId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('patch_group_baselines').select('patch_group').where('baseline_id', '=', shortId).orderBy('patch_group').execute();
    return rows.map((r) => r.patch_group);
  }

  /**
   * Registers a baseline for a patch group (for the baseline's operating
   * system). Registering the same pair again is a no-op; another baseline
   * already there is AlreadyExistsException.
   */
  async registerPatchGroup(id: string, patchGroup: string): Promise<BaselineRecord> {
    return this.change(async (trx, at) => {
      const baseline = await baselineById(trx, id);
      if (!baseline) throw baselineNotFound(id);
      const os = baseline.operatingSystem;
      const existing = await trx
        .selectFrom('patch_group_baselines')
        .select('baseline_id')
        .where('patch_group', '=', patchGroup)
        .where('operating_system', '=', os)
        .executeTakeFirst();
      if (existing?.baseline_id === baseline.baselineId) return baseline;
      if (existing) {
        throw new ServiceError(
          'AlreadyExistsException',
          `Patch group ${patchGroup} is already registered with patch baseline ${existing.baseline_id} for ${os}; deregister it first.`,
        );
      }
      const held = await trx.selectFrom('patch_group_baselines').select((eb) => eb.fn.countAll().as('count')).where('baseline_id', '=', baseline.baselineId).executeTakeFirstOrThrow();
      if (Number(held.count) >= MAX_PATCH_GROUPS_PER_BASELINE) {
        throw new ServiceError(
          'ResourceLimitExceededException',
          `Patch baseline ${baseline.baselineId} is already registered for ${MAX_PATCH_GROUPS_PER_BASELINE} patch groups, the most one baseline may have.`,
        );
      }
      await trx.insertInto('patch_group_baselines').values({ patch_group: patchGroup, operating_system: os, baseline_id: baseline.baselineId, registered_at: at }).execute();
      await this.event(trx, at, { operation: 'RegisterPatchGroup', baselineId: baseline.baselineId, operatingSystem: os, patchGroup });
      return baseline;
    });
  }

  /** Removes a baseline's registration for a patch group; InvalidResourceId when there is none. */
  async deregisterPatchGroup(id: string, patchGroup: string): Promise<BaselineRecord> {
    return this.change(async (trx, at) => {
      const baseline = await baselineById(trx, id);
      if (!baseline) throw baselineNotFound(id);
      const removed = await trx
        .deleteFrom('patch_group_baselines')
        .where('patch_group', '=', patchGroup)
        .where('baseline_id', '=', baseline.baselineId)
        .executeTakeFirst();
      if (Number(removed.numDeletedRows) === 0) {
        throw new ServiceError('InvalidResourceId', `Patch group ${patchGroup} is not registered with patch baseline ${id}.`);
      }
      await this.event(trx, at, { operation: 'DeregisterPatchGroup', baselineId: baseline.baselineId, operatingSystem: baseline.operatingSystem, patchGroup });
      return baseline;
    });
  }

  /** The baseline registered for a patch group and operating system, if any. */
  async registeredFor(patchGroup: string, os: OperatingSystem): Promise<BaselineRecord | undefined> {
    const row = await this.db
      .selectFrom('patch_group_baselines')
      .select('baseline_id')
      .where('patch_group', '=', patchGroup)
      .where('operating_system', '=', os)
      .executeTakeFirst();
    return row ? baselineById(this.db, row.baseline_id) : undefined;
  }

  /**
   * Registrations in (patch group, operating system) order after `after`,
   * at most `limit`, narrowed to group-name prefixes and operating systems.
   */
  async listPatchGroups(query: { after?: [string, string]; limit: number; namePrefixes?: string[]; operatingSystems?: string[] }): Promise<PatchGroupRegistration[]> {
    let q = this.db.selectFrom('patch_group_baselines').selectAll().orderBy('patch_group').orderBy('operating_system').limit(query.limit);
    if (query.after) {
      const [group, os] = query.after;
      q = q.where((eb) => eb.or([eb('patch_group', '>', group), eb.and([eb('patch_group', '=', group), eb('operating_system', '>', os)])]));
    }
    if (query.namePrefixes?.length) {
      const prefixes = query.namePrefixes;
      // substr keeps the comparison bytewise on both dialects (LIKE would read _ and % as wildcards).
      q = q.where((eb) => eb.or(prefixes.map((p) => eb(sql<string>`substr(patch_group, 1, ${[...p].length})`, '=', p))));
    }
    if (query.operatingSystems?.length) q = q.where('operating_system', 'in', query.operatingSystems);
    const rows = await q.execute();
    const own = await ownBaselines(this.db, rows.map((r) => r.baseline_id));
    const out: PatchGroupRegistration[] = [];
    for (const r of rows) {
      const baseline = predefinedBaseline(r.baseline_id) ?? own.get(r.baseline_id);
      if (baseline) out.push({ patchGroup: r.patch_group, operatingSystem: r.operating_system as OperatingSystem, baseline });
    }
    return out;
  }

  /** An own baseline, for a change; the predefined ones are read-only. */
  private async own(trx: Db, id: string, what: string): Promise<BaselineRecord> {
    const found = await baselineById(trx, id);
    if (!found) throw baselineNotFound(id);
    if (found.owner === 'AWS') throw predefinedReadOnly(id, what);
    return found;
  }
}
