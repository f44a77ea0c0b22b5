import { randomBytes } from 'node:crypto';
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { NodeInfo } from '@tend/protocol';
import type { Database } from '../../storage/schema.js';
import type { Dialect } from '../../storage/database.js';
import { ServiceError, validationError } from '../../rpc/errors.js';
import { MAX_TAGS_PER_RESOURCE, type Tag } from '../tags/tag-rules.js';
import { readResourceTags, upsertResourceTags } from '../tags/tags.store.js';
import { MANAGED_NODE_TAG_RESOURCE, nodeHasAnyTagKey, nodeHasTag } from '../resource-groups/node-membership.js';
import { ACTIVATION_TAG_RESOURCE, activationCodeMatches } from './activations.store.js';
import { NODE_EVENTS, writeNodeEvents, type NodeRegisteredEvent, type NodeStatusEvent, type PingStatus } from './node-events.js';

export const INSTANCE_ID_PATTERN = /^mi-[0-9a-f]{17}$/;

/** A fresh managed-node id: `mi-` and 17 lowercase hex digits, as Systems Manager's hybrid nodes have. */
export function newInstanceId(): string {
  return `mi-${randomBytes(9).toString('hex').slice(0, 17)}`;
}

export interface NodeRecord {
  instanceId: string;
  activationId: string;
  name: string | null;
  iamRole: string | null;
  computerName: string | null;
  ipAddress: string | null;
  platformType: string | null;
  platformName: string | null;
  platformVersion: string | null;
  agentVersion: string | null;
  pingStatus: PingStatus;
  lastPingAt: number;
  registeredAt: number;
  deregisteredAt: number | null;
}

/** What the gateway needs to authenticate a connection. */
export interface NodeCredentials {
  /** Ed25519 public key, SPKI DER, base64. */
  publicKey: string;
  pingStatus: PingStatus;
  /** The info last stored, so an unchanged one is not written again. */
  info: NodeInfo | undefined;
}

export interface Registration {
  activationId: string;
  activationCode: string;
  publicKey: string;
  name?: string;
  info: NodeInfo;
  /** Tags the agent asks for; the activation's value wins for a key in both. */
  tags?: Tag[];
}

/**
 * One condition of a node listing. Conditions are ANDed; the values of one
 * condition are alternatives.
 */
export type NodeCondition =
  | { kind: 'column'; column: 'instance_id' | 'agent_version' | 'ping_status' | 'platform_type' | 'activation_id' | 'iam_role'; values: string[] }
  | { kind: 'tag'; key: string; values: string[] }
  | { kind: 'tagKey'; keys: string[] }
  /** A filter no Tend node can satisfy (e.g. ResourceType EC2Instance). */
  | { kind: 'none' };

export interface NodeQuery {
  conditions: NodeCondition[];
  /** Paging cursor: the last instance id returned. */
  after?: string;
  limit: number;
}

/** A heartbeat or connection to record: the node's info when it changed, else null. */
export type PingEntry = [instanceId: string, info: NodeInfo | null];

export interface PingResult {
  /** Nodes that went from ConnectionLost back to Online. */
  cameOnline: string[];
  /** Pinged ids that are deregistered or unknown: their connections must go. */
  gone: string[];
}

export interface NodesStoreOptions {
  db: Kysely<Database>;
  dialect: Dialect;
}

type NodeRow = Database['managed_nodes'];

// Ids per IN list: far below both dialects' bound-parameter limits, and small enough to keep statements cheap.
const IDS_PER_STATEMENT = 500;

/** Managed nodes: registration, status and the node list. */
export class NodesStore {
  private readonly db: Kysely<Database>;
  private readonly dialect: Dialect;

  constructor(options: NodesStoreOptions) {
    this.db = options.db;
    this.dialect = options.dialect;
  }

  /**
   * Registers a node with an activation. Every check, the count increment,
   * the node, its tags and its event are one transaction, and the
   * activation row is locked (PostgreSQL; SQLite has one writer), so
   * concurrent registrations never pass the limit and a refusal leaves
   * nothing behind.
   */
  async register(reg: Registration, at: number): Promise<{ instanceId: string }> {
    return this.db.transaction().execute(async (trx) => {
      // Ids are minted lowercase; an id retyped in capitals is the same activation.
      let q = trx.selectFrom('activations').selectAll().where('activation_id', '=', reg.activationId.toLowerCase());
      if (this.dialect === 'postgres') q = q.forUpdate();
      const activation = await q.executeTakeFirst();
      if (!activationCodeMatches(activation?.code_hash, reg.activationCode) || !activation) {
        throw new ServiceError(
          'InvalidActivation',
          "The activation isn't valid: it does not exist, was deleted, or the activation code does not match the activation ID.",
        );
      }
      if (activation.expiration_date <= at) {
        throw new ServiceError('ActivationExpired', `Activation ${activation.activation_id} expired at ${new Date(activation.expiration_date).toISOString()}.`);
      }
      // The guard in WHERE keeps the limit even if the lock above were ever missing.
      const counted = await trx
        .updateTable('activations')
        .set((eb) => ({ registrations_count: eb('registrations_count', '+', 1) }))
        .where('activation_id', '=', activation.activation_id)
        .whereRef('registrations_count', '<', 'registration_limit')
        .executeTakeFirst();
      if (counted.numUpdatedRows === 0n) {
        throw new ServiceError(
          'RegistrationLimitExceeded',
          `Activation ${activation.activation_id} has reached its registration limit of ${activation.registration_limit}.`,
        );
      }

      const tags = new Map((reg.tags ?? []).map((t) => [t.Key, t.Value]));
      for (const t of await readResourceTags(trx, ACTIVATION_TAG_RESOURCE, activation.activation_id)) tags.set(t.Key, t.Value);
      if (tags.size > MAX_TAGS_PER_RESOURCE) {
        throw validationError(`The node would carry ${tags.size} tags with its activation's; a node can have at most ${MAX_TAGS_PER_RESOURCE}`);
      }

      const instanceId = newInstanceId();
      const name = reg.name || activation.default_instance_name || null;
      await trx
        .insertInto('managed_nodes')
        .values({
          instance_id: instanceId,
          activation_id: activation.activation_id,
          name,
          iam_role: activation.iam_role,
          public_key: reg.publicKey,
          ...infoColumns(reg.info),
          ping_status: 'Online',
          last_ping_at: at,
          registered_at: at,
          deregistered_at: null,
        })
        .execute();
      await upsertResourceTags(trx, MANAGED_NODE_TAG_RESOURCE, instanceId, [...tags].map(([Key, Value]) => ({ Key, Value })));
      const event: NodeRegisteredEvent = { instanceId, activationId: activation.activation_id, name, pingStatus: 'Online' };
      await writeNodeEvents(trx, NODE_EVENTS.registered, at, [event]);
      return { instanceId };
    });
  }

  /** The key and state a connection is checked against; undefined for an unknown id. */
  async credentials(instanceId: string): Promise<NodeCredentials | undefined> {
    const row = await this.db.selectFrom('managed_nodes').selectAll().where('instance_id', '=', instanceId).executeTakeFirst();
    if (!row) return undefined;
    const info =
      row.computer_name === null
        ? undefined
        : {
            computerName: row.computer_name,
            ipAddress: row.ip_address ?? '',
            platformType: row.platform_type as NodeInfo['platformType'],
            platformName: row.platform_name ?? '',
            platformVersion: row.platform_version ?? '',
            agentVersion: row.agent_version ?? '',
          };
    return { publicKey: row.public_key, pingStatus: row.ping_status, info };
  }

  /**
   * Records a batch of heartbeats and connections in one transaction: last
   * ping time for all, info where it changed, and ConnectionLost → Online
   * with its event. A deregistered node is never brought back.
   */
  async recordPings(entries: readonly PingEntry[], at: number): Promise<PingResult> {
    const ids = entries.map(([id]) => id).sort();
    return this.db.transaction().execute(async (trx) => {
      const cameOnline: string[] = [];
      const alive = new Set<string>();
      for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) {
        const chunk = ids.slice(i, i + IDS_PER_STATEMENT);
        const back = await trx
          .updateTable('managed_nodes')
          .set({ ping_status: 'Online', last_ping_at: at })
          .where('instance_id', 'in', chunk)
          .where('ping_status', '=', 'ConnectionLost')
          .returning('instance_id')
          .execute();
        for (const r of back) cameOnline.push(r.instance_id);
        const pinged = await trx
          .updateTable('managed_nodes')
          .set({ last_ping_at: at })
          .where('instance_id', 'in', chunk)
          .where('ping_status', '=', 'Online')
          .returning('instance_id')
          .execute();
        for (const r of pinged) alive.add(r.instance_id);
      }
      for (const [id, info] of entries) {
        if (info && alive.has(id)) await trx.updateTable('managed_nodes').set(infoColumns(info)).where('instance_id', '=', id).execute();
      }
      const events: NodeStatusEvent[] = cameOnline.map((instanceId) => ({ instanceId, from: 'ConnectionLost', to: 'Online' }));
      await writeNodeEvents(trx, NODE_EVENTS.status, at, events);
      return { cameOnline, gone: ids.filter((id) => !alive.has(id)) };
    });
  }

  /**
   * Marks Online nodes not heard from since `cutoff` as ConnectionLost, with
   * their events, in one statement and transaction. Replicas sweeping at once
   * never both report a node: the second UPDATE no longer matches it.
   */
  async markConnectionLost(cutoff: number, at: number): Promise<string[]> {
    return this.db.transaction().execute(async (trx) => {
      const lost = await trx
        .updateTable('managed_nodes')
        .set({ ping_status: 'ConnectionLost' })
        .where('ping_status', '=', 'Online')
        .where('last_ping_at', '<', cutoff)
        .returning('instance_id')
        .execute();
      const events: NodeStatusEvent[] = lost.map((r) => ({ instanceId: r.instance_id, from: 'Online', to: 'ConnectionLost' }));
      await writeNodeEvents(trx, NODE_EVENTS.status, at, events);
      return lost.map((r) => r.instance_id);
    });
  }

  /** Marks a node Inactive for good; InvalidInstanceId when it is unknown or already deregistered. */
  async deregister(instanceId: string, at: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      let q = trx.selectFrom('managed_nodes').select('ping_status').where('instance_id', '=', instanceId);
      if (this.dialect === 'postgres') q = q.forUpdate();
      const row = await q.executeTakeFirst();
      if (!row || row.ping_status === 'Inactive') {
        throw new ServiceError('InvalidInstanceId', `Instance ${instanceId} is not a registered managed node.`);
      }
      await trx.updateTable('managed_nodes').set({ ping_status: 'Inactive', deregistered_at: at }).where('instance_id', '=', instanceId).execute();
      const event: NodeStatusEvent = { instanceId, from: row.ping_status, to: 'Inactive' };
      await writeNodeEvents(trx, NODE_EVENTS.status, at, [event]);
    });
  }

  /** One page in instance id order, with one more row than `limit` when there are more. */
  async list(query: NodeQuery): Promise<NodeRecord[]> {
    if (query.conditions.some((c) => c.kind === 'none')) return [];
    let q = this.db.selectFrom('managed_nodes').selectAll();
    for (const c of query.conditions) q = q.where((eb) => conditionExpression(eb, c));
    if (query.after !== undefined) q = q.where('instance_id', '>', query.after);
    const rows = await q.orderBy('instance_id').limit(query.limit + 1).execute();
    return rows.map(toRecord);
  }

  /** The tags of one node (for answers that show them). */
  tagsOf(instanceId: string): Promise<Tag[]> {
    return readResourceTags(this.db, MANAGED_NODE_TAG_RESOURCE, instanceId);
  }
}

function conditionExpression(eb: ExpressionBuilder<Database, 'managed_nodes'>, c: NodeCondition) {
  switch (c.kind) {
    case 'column':
      return eb(`managed_nodes.${c.column}`, 'in', c.values);
    case 'tag':
      return nodeHasTag(eb, c.key, c.values);
    case 'tagKey':
      return nodeHasAnyTagKey(eb, c.keys);
    case 'none':
      return eb.lit(false);
  }
}

function infoColumns(info: NodeInfo) {
  return {
    computer_name: info.computerName,
    ip_address: info.ipAddress,
    platform_type: info.platformType,
    platform_name: info.platformName,
    platform_version: info.platformVersion,
    agent_version: info.agentVersion,
  };
}

function toRecord(r: NodeRow): NodeRecord {
  return {
    instanceId: r.instance_id,
    activationId: r.activation_id,
    name: r.name,
    iamRole: r.iam_role,
    computerName: r.computer_name,
    ipAddress: r.ip_address,
    platformType: r.platform_type,
    platformName: r.platform_name,
    platformVersion: r.platform_version,
    agentVersion: r.agent_version,
    pingStatus: r.ping_status,
    lastPingAt: r.last_ping_at,
    registeredAt: r.registered_at,
    deregisteredAt: r.deregistered_at,
  };
}
