import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import type { SecretBox } from '../../security/secret-box.js';
import { ServiceError } from '../../rpc/errors.js';
import type { Tag } from '../tags/tag-rules.js';
import { deleteResourceTags, readResourceTags, upsertResourceTags } from '../tags/tags.store.js';
import { MAX_POLICY_DOCUMENT_CHARS, parsePolicyDocument, type PolicyStatement } from './policy.js';

/** `resource_tags.resource_type` of IAM users' tags; not a Systems Manager tagging type. */
export const IAM_USER_TAG_RESOURCE = 'IamUser';

/** Access keys one user may hold, as IAM's AccessKeysPerUser quota. */
export const MAX_ACCESS_KEYS_PER_USER = 2;

/** Characters of all inline policies of one user together. */
export const MAX_USER_POLICIES_CHARS = MAX_POLICY_DOCUMENT_CHARS;

export interface IamUser {
  userName: string;
  userId: string;
  path: string;
  arn: string;
  createdAt: number;
}

export interface AccessKeyRecord {
  accessKeyId: string;
  userName: string | null;
  status: 'Active' | 'Inactive';
  createdAt: number;
}

/** What the pipeline needs to authenticate and authorize one request. */
export interface Principal {
  accessKeyId: string;
  secret: string;
  status: 'Active' | 'Inactive';
  isRoot: boolean;
  userName?: string;
  arn: string;
  statements: PolicyStatement[];
}

export interface IamStoreOptions {
  db: Kysely<Database>;
  secrets: SecretBox;
  accountId: string;
  now?: () => number;
  /**
   * How long a resolved principal is reused. Changes made through this
   * replica take effect at once; other replicas see them within this time.
   */
  principalCacheMs?: number;
}

const ROOT_KEY_CONTEXT = (id: string) => `access-key:${id}`;

/** Users, access keys and inline policies, with a short-lived principal cache for the hot path. */
export class IamStore {
  private readonly db: Kysely<Database>;
  private readonly now: () => number;
  private readonly cacheMs: number;
  private readonly principals = new Map<string, { principal: Principal | undefined; expires: number }>();
  constructor(private readonly options: IamStoreOptions) {
    this.db = options.db;
    this.now = options.now ?? Date.now;
    this.cacheMs = options.principalCacheMs ?? 5000;
  }

  get rootArn(): string {
    return `arn:aws:iam::${this.options.accountId}:root`;
  }

  userArn(path: string, userName: string): string {
    return `arn:aws:iam::${this.options.accountId}:user${path}${userName}`;
  }

  /**
   * Resolves an access key to its principal (secret, ARN, policies), or
   * undefined if unknown. Answers synchronously from the cache, which is
   * every request but the first few seconds of a key's: the API's hot path
   * then waits for no promise here.
   */
  resolvePrincipal(accessKeyId: string): Principal | undefined | Promise<Principal | undefined> {
    const cached = this.principals.get(accessKeyId);
    if (cached && cached.expires > this.now()) return cached.principal;
    return this.loadAndCachePrincipal(accessKeyId);
  }

  private async loadAndCachePrincipal(accessKeyId: string): Promise<Principal | undefined> {
    const t = this.now();
    const principal = await this.loadPrincipal(accessKeyId);
    if (this.principals.size > 50_000) this.principals.clear();
    this.principals.set(accessKeyId, { principal, expires: t + this.cacheMs });
    return principal;
  }

  private async loadPrincipal(accessKeyId: string): Promise<Principal | undefined> {
    const key = await this.db.selectFrom('iam_access_keys').selectAll().where('access_key_id', '=', accessKeyId).executeTakeFirst();
    if (!key) return undefined;
    const secret = this.options.secrets.decrypt(key.secret_sealed, ROOT_KEY_CONTEXT(key.access_key_id));
    if (key.user_name === null) {
      return { accessKeyId, secret, status: key.status, isRoot: true, arn: this.rootArn, statements: [] };
    }
    const user = await this.getUser(key.user_name);
    const policies = await this.db.selectFrom('iam_user_policies').select('document').where('user_name', '=', key.user_name).execute();
    return {
      accessKeyId,
      secret,
      status: key.status,
      isRoot: false,
      userName: user.userName,
      arn: user.arn,
      statements: policies.flatMap((p) => parsePolicyDocument(p.document)),
    };
  }

  /** Forgets cached principals after a change to keys or policies. */
  invalidate(): void {
    this.principals.clear();
  }

  /**
   * The ARN to authorize for an operation on a user: its stored ARN (the
   * path is part of it), or with the path `/` for a user that does not
   * exist, so authorization is decided before existence is revealed.
   */
  async userArnFor(userName: string): Promise<string> {
    const row = await this.db.selectFrom('iam_users').select('arn').where('user_name', '=', userName).executeTakeFirst();
    return row?.arn ?? this.userArn('/', userName);
  }

  /** Creates or replaces the root access key (bootstrap). */
  async putRootKey(accessKeyId: string, secret: string): Promise<void> {
    const sealed = this.options.secrets.encrypt(secret, ROOT_KEY_CONTEXT(accessKeyId));
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('iam_access_keys').where('access_key_id', '=', accessKeyId).execute();
      await trx
        .insertInto('iam_access_keys')
        .values({ access_key_id: accessKeyId, user_name: null, secret_sealed: sealed, status: 'Active', created_at: this.now() })
        .execute();
    });
    this.invalidate();
  }

  async hasRootKey(): Promise<boolean> {
    const row = await this.db.selectFrom('iam_access_keys').select('access_key_id').where('user_name', 'is', null).executeTakeFirst();
    return row !== undefined;
  }

  /** Creates a user with its tags. Names are unique regardless of case, as in IAM. */
  async createUser(userName: string, path: string, tags: Tag[] = []): Promise<IamUser> {
    const user: IamUser = {
      userName,
      path,
      userId: `AIDA${randomAlphanumeric(17)}`,
      arn: this.userArn(path, userName),
      createdAt: this.now(),
    };
    const alreadyExists = () => new ServiceError('EntityAlreadyExistsException', `User with name ${userName} already exists.`);
    try {
      await this.db.transaction().execute(async (trx) => {
        const clash = await trx
          .selectFrom('iam_users')
          .select('user_name')
          .where((eb) => eb(eb.fn('lower', ['user_name']), '=', userName.toLowerCase()))
          .executeTakeFirst();
        if (clash) throw alreadyExists();
        await trx
          .insertInto('iam_users')
          .values({ user_name: userName, user_id: user.userId, path, arn: user.arn, created_at: user.createdAt })
          .execute();
        await upsertResourceTags(trx, IAM_USER_TAG_RESOURCE, userName, tags);
      });
    } catch (err) {
      // Two concurrent creations of one name: the loser hits the primary key.
      if (!(err instanceof ServiceError) && (await this.userExists(userName))) throw alreadyExists();
      throw err;
    }
    return user;
  }

  private async userExists(userName: string): Promise<boolean> {
    const row = await this.db.selectFrom('iam_users').select('user_name').where('user_name', '=', userName).executeTakeFirst();
    return row !== undefined;
  }

  async getUser(userName: string): Promise<IamUser> {
    const row = await this.db.selectFrom('iam_users').selectAll().where('user_name', '=', userName).executeTakeFirst();
    if (!row) throw new ServiceError('NoSuchEntityException', `The user with name ${userName} cannot be found.`);
    return { userName: row.user_name, userId: row.user_id, path: row.path, arn: row.arn, createdAt: row.created_at };
  }

  async getUserTags(userName: string): Promise<Tag[]> {
    return readResourceTags(this.db, IAM_USER_TAG_RESOURCE, userName);
  }

  /** Users ordered by name, after `after` (exclusive), optionally under a path prefix. */
  async listUsers(opts: { pathPrefix?: string; after?: string; limit: number }): Promise<IamUser[]> {
    let q = this.db.selectFrom('iam_users').selectAll().orderBy('user_name').limit(opts.limit);
    if (opts.after !== undefined) q = q.where('user_name', '>', opts.after);
    // Filtered in SQL, not after the LIMIT, so a page is never short of matches that exist.
    // substr rather than LIKE: SQLite's LIKE ignores case and `_`/`%` would need escaping.
    const prefix = opts.pathPrefix;
    if (prefix && prefix !== '/') q = q.where((eb) => eb(eb.fn('substr', ['path', eb.val(1), eb.val(prefix.length)]), '=', prefix));
    const rows = await q.execute();
    return rows.map((r) => ({ userName: r.user_name, userId: r.user_id, path: r.path, arn: r.arn, createdAt: r.created_at }));
  }

  /** Deletes a user that no longer has access keys or policies, as IAM requires. */
  async deleteUser(userName: string): Promise<void> {
    await this.getUser(userName);
    await this.db.transaction().execute(async (trx) => {
      const keys = await trx.selectFrom('iam_access_keys').select('access_key_id').where('user_name', '=', userName).execute();
      const policies = await trx.selectFrom('iam_user_policies').select('policy_name').where('user_name', '=', userName).execute();
      if (keys.length > 0 || policies.length > 0) {
        throw new ServiceError(
          'DeleteConflictException',
          `Cannot delete user ${userName}: delete its ${keys.length} access key(s) and ${policies.length} policy(ies) first.`,
        );
      }
      await deleteResourceTags(trx, IAM_USER_TAG_RESOURCE, userName);
      await trx.deleteFrom('iam_users').where('user_name', '=', userName).execute();
    });
    this.invalidate();
  }

  /** Creates an access key; the secret is returned here once and kept only sealed. */
  async createAccessKey(userName: string): Promise<AccessKeyRecord & { secretAccessKey: string }> {
    await this.getUser(userName);
    const count = await this.db
      .selectFrom('iam_access_keys')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_name', '=', userName)
      .executeTakeFirstOrThrow();
    if (Number(count.n) >= MAX_ACCESS_KEYS_PER_USER) {
      throw new ServiceError('LimitExceededException', `Cannot exceed quota for AccessKeysPerUser: ${MAX_ACCESS_KEYS_PER_USER}`);
    }
    const accessKeyId = `AKIA${randomAlphanumeric(16)}`;
    const secretAccessKey = randomBytes(30).toString('base64').replace(/[+/]/g, (c) => (c === '+' ? 'X' : 'Y'));
    const record: AccessKeyRecord = { accessKeyId, userName, status: 'Active', createdAt: this.now() };
    await this.db
      .insertInto('iam_access_keys')
      .values({
        access_key_id: accessKeyId,
        user_name: userName,
        secret_sealed: this.options.secrets.encrypt(secretAccessKey, ROOT_KEY_CONTEXT(accessKeyId)),
        status: 'Active',
        created_at: record.createdAt,
      })
      .execute();
    return { ...record, secretAccessKey };
  }

  async listAccessKeys(userName: string): Promise<AccessKeyRecord[]> {
    await this.getUser(userName);
    const rows = await this.db
      .selectFrom('iam_access_keys')
      .select(['access_key_id', 'user_name', 'status', 'created_at'])
      .where('user_name', '=', userName)
      .orderBy('access_key_id')
      .execute();
    return rows.map((r) => ({ accessKeyId: r.access_key_id, userName: r.user_name, status: r.status, createdAt: r.created_at }));
  }

  async updateAccessKey(userName: string, accessKeyId: string, status: 'Active' | 'Inactive'): Promise<void> {
    const result = await this.db
      .updateTable('iam_access_keys')
      .set({ status })
      .where('access_key_id', '=', accessKeyId)
      .where('user_name', '=', userName)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) {
      throw new ServiceError('NoSuchEntityException', `The Access Key with id ${accessKeyId} cannot be found.`);
    }
    this.invalidate();
  }

  async deleteAccessKey(userName: string, accessKeyId: string): Promise<void> {
    const result = await this.db
      .deleteFrom('iam_access_keys')
      .where('access_key_id', '=', accessKeyId)
      .where('user_name', '=', userName)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) {
      throw new ServiceError('NoSuchEntityException', `The Access Key with id ${accessKeyId} cannot be found.`);
    }
    this.invalidate();
  }

  /** One key's metadata (never its secret), or undefined. */
  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const row = await this.db
      .selectFrom('iam_access_keys')
      .select(['access_key_id', 'user_name', 'status', 'created_at'])
      .where('access_key_id', '=', accessKeyId)
      .executeTakeFirst();
    return row && { accessKeyId: row.access_key_id, userName: row.user_name, status: row.status, createdAt: row.created_at };
  }

  /** Creates or replaces an inline policy; the user's policies together stay under MAX_USER_POLICIES_CHARS. */
  async putUserPolicy(userName: string, policyName: string, document: string): Promise<void> {
    parsePolicyDocument(document);
    await this.getUser(userName);
    await this.db.transaction().execute(async (trx) => {
      const others = await trx
        .selectFrom('iam_user_policies')
        .select('document')
        .where('user_name', '=', userName)
        .where('policy_name', '!=', policyName)
        .execute();
      const total = others.reduce((sum, p) => sum + p.document.length, document.length);
      if (total > MAX_USER_POLICIES_CHARS) {
        throw new ServiceError(
          'LimitExceededException',
          `Maximum policy size of ${MAX_USER_POLICIES_CHARS} characters exceeded for user ${userName}`,
        );
      }
      await trx.deleteFrom('iam_user_policies').where('user_name', '=', userName).where('policy_name', '=', policyName).execute();
      await trx.insertInto('iam_user_policies').values({ user_name: userName, policy_name: policyName, document }).execute();
    });
    this.invalidate();
  }

  async getUserPolicy(userName: string, policyName: string): Promise<string> {
    await this.getUser(userName);
    const row = await this.db
      .selectFrom('iam_user_policies')
      .select('document')
      .where('user_name', '=', userName)
      .where('policy_name', '=', policyName)
      .executeTakeFirst();
    if (!row) throw new ServiceError('NoSuchEntityException', `The user policy with name ${policyName} cannot be found.`);
    return row.document;
  }

  async listUserPolicies(userName: string): Promise<string[]> {
    await this.getUser(userName);
    const rows = await this.db
      .selectFrom('iam_user_policies')
      .select('policy_name')
      .where('user_name', '=', userName)
      .orderBy('policy_name')
      .execute();
    return rows.map((r) => r.policy_name);
  }

  async deleteUserPolicy(userName: string, policyName: string): Promise<void> {
    await this.getUser(userName);
    const result = await this.db
      .deleteFrom('iam_user_policies')
      .where('user_name', '=', userName)
      .where('policy_name', '=', policyName)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) {
      throw new ServiceError('NoSuchEntityException', `The user policy with name ${policyName} cannot be found.`);
    }
    this.invalidate();
  }
}

/** Upper-case letters and digits, the alphabet of AWS key and user ids. */
export function randomAlphanumeric(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[bytes[i]! % alphabet.length];
  return out;
}

