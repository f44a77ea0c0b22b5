import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import type { Tag } from '../tags/tag-rules.js';
import { deleteResourceTags, upsertResourceTags } from '../tags/tags.store.js';

/**
 * `resource_tags.resource_type` of an activation's tags. Not a tagging API
 * type: Systems Manager fixes an activation's tags at creation, and they
 * are copied to every node that registers with it.
 */
export const ACTIVATION_TAG_RESOURCE = 'Activation';

export const ACTIVATION_CODE_LENGTH = 20;
const CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A fresh activation code: 20 characters from 62, about 119 bits. */
export function newActivationCode(): string {
  // 248 is the largest multiple of 62 below 256: rejecting bytes above it keeps every character equally likely.
  let code = '';
  while (code.length < ACTIVATION_CODE_LENGTH) {
    for (const byte of randomBytes(32)) {
      if (byte < 248 && code.length < ACTIVATION_CODE_LENGTH) code += CODE_ALPHABET[byte % 62];
    }
  }
  return code;
}

/** What is stored instead of the code. A fast hash is enough: the code is random, not a password. */
export function hashActivationCode(code: string): string {
  return createHash('sha256').update(code, 'utf8').digest('hex');
}

// Compared against when the activation does not exist, so an unknown id costs the same as a wrong code.
const ABSENT_CODE_HASH = hashActivationCode(randomUUID());

/** Constant-time check of a presented code against a stored hash (or against nothing, for an unknown activation). */
export function activationCodeMatches(storedHash: string | undefined, code: string): boolean {
  const presented = Buffer.from(hashActivationCode(code), 'hex');
  const stored = Buffer.from(storedHash ?? ABSENT_CODE_HASH, 'hex');
  return stored.length === presented.length && timingSafeEqual(stored, presented) && storedHash !== undefined;
}

export interface ActivationRecord {
  activationId: string;
  description: string | null;
  defaultInstanceName: string | null;
  iamRole: string;
  registrationLimit: number;
  registrationsCount: number;
  expirationDate: number;
  createdDate: number;
  tags: Tag[];
}

export interface NewActivation {
  description?: string;
  defaultInstanceName?: string;
  iamRole: string;
  registrationLimit: number;
  expirationDate: number;
  tags: Tag[];
}

/** Exact-match conditions of DescribeActivations; each given list must contain the activation's value. */
export interface ActivationQuery {
  activationIds?: string[][];
  defaultInstanceNames?: string[][];
  iamRoles?: string[][];
  /** Paging cursor: the (created date, id) of the last activation returned. */
  after?: { createdDate: number; activationId: string };
  limit: number;
}

type ActivationRow = Database['activations'];

/** Hybrid activations: the credentials nodes register with (registration itself is in NodesStore). */
export class ActivationsStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Creates an activation; the code is returned here once and only its hash is kept. */
  async create(input: NewActivation, now: number): Promise<{ activationId: string; activationCode: string }> {
    const activationId = randomUUID();
    const activationCode = newActivationCode();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('activations')
        .values({
          activation_id: activationId,
          code_hash: hashActivationCode(activationCode),
          description: input.description ?? null,
          default_instance_name: input.defaultInstanceName ?? null,
          iam_role: input.iamRole,
          registration_limit: input.registrationLimit,
          registrations_count: 0,
          expiration_date: input.expirationDate,
          created_date: now,
        })
        .execute();
      await upsertResourceTags(trx, ACTIVATION_TAG_RESOURCE, activationId, input.tags);
    });
    return { activationId, activationCode };
  }

  /** One page in creation order, with one more row than `limit` when there are more. */
  async list(query: ActivationQuery): Promise<ActivationRecord[]> {
    let q = this.db.selectFrom('activations').selectAll();
    for (const ids of query.activationIds ?? []) q = q.where('activation_id', 'in', ids);
    for (const names of query.defaultInstanceNames ?? []) q = q.where('default_instance_name', 'in', names);
    for (const roles of query.iamRoles ?? []) q = q.where('iam_role', 'in', roles);
    const after = query.after;
    if (after) {
      q = q.where((eb) =>
        eb.or([
          eb('created_date', '>', after.createdDate),
          eb.and([eb('created_date', '=', after.createdDate), eb('activation_id', '>', after.activationId)]),
        ]),
      );
    }
    const rows = await q.orderBy('created_date').orderBy('activation_id').limit(query.limit + 1).execute();
    const tags = await this.tagsOf(rows.map((r) => r.activation_id));
    return rows.map((r) => toRecord(r, tags.get(r.activation_id) ?? []));
  }

  /** Deletes an activation and its tags; false when there was none. Nodes registered with it are untouched. */
  async delete(activationId: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx.deleteFrom('activations').where('activation_id', '=', activationId).executeTakeFirst();
      await deleteResourceTags(trx, ACTIVATION_TAG_RESOURCE, activationId);
      return result.numDeletedRows > 0n;
    });
  }

  private async tagsOf(ids: string[]): Promise<Map<string, Tag[]>> {
    const byId = new Map<string, Tag[]>();
    if (ids.length === 0) return byId;
    const rows = await this.db
      .selectFrom('resource_tags')
      .select(['resource_id', 'tag_key', 'tag_value'])
      .where('resource_type', '=', ACTIVATION_TAG_RESOURCE)
      .where('resource_id', 'in', ids)
      .orderBy('resource_id')
      .orderBy('tag_key')
      .execute();
    for (const r of rows) {
      const list = byId.get(r.resource_id) ?? [];
      list.push({ Key: r.tag_key, Value: r.tag_value });
      byId.set(r.resource_id, list);
    }
    return byId;
  }
}

function toRecord(r: ActivationRow, tags: Tag[]): ActivationRecord {
  return {
    activationId: r.activation_id,
    description: r.description,
    defaultInstanceName: r.default_instance_name,
    iamRole: r.iam_role,
    registrationLimit: r.registration_limit,
    registrationsCount: r.registrations_count,
    expirationDate: r.expiration_date,
    createdDate: r.created_date,
    tags,
  };
}
