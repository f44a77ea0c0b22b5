import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../storage/schema.js';
import type { Dialect } from '../../storage/database.js';

export type CommandRow = Selectable<Database['commands']>;
export type InvocationRow = Selectable<Database['command_invocations']>;

export type InvocationState = Omit<InvocationRow, 'plugins'>;
const INVOCATION_STATE_COLUMNS = [
  'command_id',
  'instance_id',
  'position',
  'instance_name',
  'status',
  'status_details',
  'started_at',
  'delivery_deadline',
  'execution_deadline',
  'last_sent_at',
  'accepted_at',
  'cancel_requested',
  'cancel_sent_at',
  'execution_start',
  'execution_end',
  'response_code',
  'message',
  'updated_at',
] as const satisfies readonly (keyof InvocationState)[];

/** Command statuses from which nothing changes any more. */
export const ACTIVE_COMMAND_STATUSES = ['Pending', 'InProgress', 'Cancelling'] as const;

/** Rows per INSERT: well under SQLite's bound-variable limit (19 columns each). */
const INSERT_CHUNK = 500;

/** Per-step result as stored in command_invocations.plugins (outputs already masked). */
export interface StoredPluginResult {
  name: string;
  status: string;
  responseCode: number;
  /** Heads of the streams (24,000 characters at most). */
  stdout: string;
  stderr: string;
  /** More output than the heads: the full text is in the output store. */
  truncated: boolean;
  startedAt: number;
  endedAt: number;
}

/**
 * Reads and writes of Run Command's two tables. Rate control and delivery
 * live in the engine; this is only SQL, shared by the engine and the API.
 */
export class CommandsStore {
  constructor(private readonly options: { db: Kysely<Database>; dialect: Dialect }) {}

  get db(): Kysely<Database> {
    return this.options.db;
  }

  /** Writes a new command with its invocations; inside `trx` when given (a maintenance window records the task start with it). */
  async insert(command: CommandRow, invocations: InvocationRow[], trx?: Kysely<Database>): Promise<void> {
    const write = async (into: Kysely<Database>) => {
      await into.insertInto('commands').values(command).execute();
      for (let at = 0; at < invocations.length; at += INSERT_CHUNK) {
        await into
          .insertInto('command_invocations')
          .values(invocations.slice(at, at + INSERT_CHUNK))
          .execute();
      }
    };
    if (trx) await write(trx);
    else await this.db.transaction().execute(write);
  }

  /**
   * Records a cancel request in the caller's transaction, for the whole
   * command or only the invocations on `instanceIds`; the engine acts on it
   * at its next pass (wake it after the commit).
   */
  async requestCancel(trx: Kysely<Database>, commandId: string, now: number, instanceIds?: string[]): Promise<void> {
    if (!instanceIds) await trx.updateTable('commands').set({ cancel_requested: 1, updated_at: now }).where('command_id', '=', commandId).execute();
    let update = trx.updateTable('command_invocations').set({ cancel_requested: 1, updated_at: now }).where('command_id', '=', commandId);
    if (instanceIds) update = update.where('instance_id', 'in', instanceIds);
    await update.execute();
  }

  async find(commandId: string, trx: Kysely<Database> = this.db, lock = false): Promise<CommandRow | undefined> {
    let q = trx.selectFrom('commands').selectAll().where('command_id', '=', commandId);
    // Serializes replicas working on the same command (SQLite has one writer anyway).
    if (lock && this.options.dialect === 'postgres') q = q.forUpdate();
    return q.executeTakeFirst();
  }

  async invocations(commandId: string, trx: Kysely<Database> = this.db): Promise<InvocationRow[]> {
    return trx.selectFrom('command_invocations').selectAll().where('command_id', '=', commandId).orderBy('position').execute();
  }

  /**
   * The invocations as the engine needs them for a pass: everything but the
   * per-step results (outputs of up to 48,000 characters each), which it
   * only ever writes.
   */
  async invocationStates(commandId: string, trx: Kysely<Database> = this.db): Promise<InvocationState[]> {
    return trx
      .selectFrom('command_invocations')
      .select(INVOCATION_STATE_COLUMNS)
      .where('command_id', '=', commandId)
      .orderBy('position')
      .execute();
  }

  async invocation(commandId: string, instanceId: string): Promise<InvocationRow | undefined> {
    return this.db.selectFrom('command_invocations').selectAll().where('command_id', '=', commandId).where('instance_id', '=', instanceId).executeTakeFirst();
  }

  /**
   * Deletes up to `limit` finished commands requested before `before`, with
   * their invocations, oldest first; answers their ids (their output files go
   * next). Replicas doing this at once delete each command once.
   */
  async deleteFinishedBefore(before: number, limit: number): Promise<string[]> {
    return this.db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('commands')
        .select('command_id')
        .where('requested_at', '<', before)
        .where('status', 'not in', [...ACTIVE_COMMAND_STATUSES])
        .orderBy('requested_at')
        .limit(limit)
        .execute();
      const ids = rows.map((r) => r.command_id);
      if (ids.length) {
        await trx.deleteFrom('command_invocations').where('command_id', 'in', ids).execute();
        await trx.deleteFrom('command_output_copies').where('command_id', 'in', ids).execute();
        await trx.deleteFrom('commands').where('command_id', 'in', ids).execute();
      }
      return ids;
    });
  }

  /** Stores (or replaces) the shared copy of a finished step's output, in the caller's transaction. */
  async saveOutputCopy(trx: Kysely<Database>, copy: Database['command_output_copies']): Promise<void> {
    const { command_id: _c, instance_id: _i, step: _s, stream: _t, ...content } = copy;
    await trx
      .insertInto('command_output_copies')
      .values(copy)
      .onConflict((oc) => oc.columns(['command_id', 'instance_id', 'step', 'stream']).doUpdateSet(content))
      .execute();
  }

  /** The shared copy of a step's output, if the replica that received it stored one. */
  async outputCopy(commandId: string, instanceId: string, step: string, stream: 'stdout' | 'stderr'): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('command_output_copies')
      .select('content')
      .where('command_id', '=', commandId)
      .where('instance_id', '=', instanceId)
      .where('step', '=', step)
      .where('stream', '=', stream)
      .executeTakeFirst();
    return row?.content;
  }

  /** Which of these command ids are still stored. */
  async existingIds(commandIds: string[]): Promise<Set<string>> {
    if (commandIds.length === 0) return new Set();
    const rows = await this.db.selectFrom('commands').select('command_id').where('command_id', 'in', commandIds).execute();
    return new Set(rows.map((r) => r.command_id));
  }

  async activeCommandIds(): Promise<string[]> {
    const rows = await this.db
      .selectFrom('commands')
      .select('command_id')
      .where('status', 'in', [...ACTIVE_COMMAND_STATUSES])
      .orderBy('requested_at')
      .execute();
    return rows.map((r) => r.command_id);
  }

  /** A node's invocations that are out for delivery (started, unfinished) in commands still running. */
  async outstandingFor(instanceId: string): Promise<InvocationRow[]> {
    return this.db
      .selectFrom('command_invocations')
      .innerJoin('commands', 'commands.command_id', 'command_invocations.command_id')
      .selectAll('command_invocations')
      .where('command_invocations.instance_id', '=', instanceId)
      .where('commands.status', 'in', [...ACTIVE_COMMAND_STATUSES])
      .where('command_invocations.started_at', 'is not', null)
      .where('command_invocations.status', 'in', ['InProgress', 'Cancelling', 'Delayed'])
      .orderBy('commands.requested_at')
      .execute();
  }

  /** Updates one invocation row; only the members given. */
  async updateInvocation(trx: Kysely<Database>, commandId: string, instanceId: string, values: Partial<InvocationRow>): Promise<void> {
    await trx.updateTable('command_invocations').set(values).where('command_id', '=', commandId).where('instance_id', '=', instanceId).execute();
  }

  /** The same values on many invocations of one command, in chunks. */
  async updateInvocations(trx: Kysely<Database>, commandId: string, instanceIds: string[], values: Partial<InvocationRow>): Promise<void> {
    for (let at = 0; at < instanceIds.length; at += INSERT_CHUNK) {
      await trx
        .updateTable('command_invocations')
        .set(values)
        .where('command_id', '=', commandId)
        .where('instance_id', 'in', instanceIds.slice(at, at + INSERT_CHUNK))
        .execute();
    }
  }

  async updateCommand(trx: Kysely<Database>, commandId: string, values: Partial<CommandRow>): Promise<void> {
    await trx.updateTable('commands').set(values).where('command_id', '=', commandId).execute();
  }
}
