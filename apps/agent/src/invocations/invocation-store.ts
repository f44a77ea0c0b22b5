import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { invocationResultFrame, type InvocationResultFrame } from '@tend/protocol';
import { ensureStateDir } from '../state.js';

/**
 * One file per invocation under <stateDir>/invocations, written when the
 * invocation starts and again when it ends. A file without a result after a
 * restart is the proof that the agent died mid-command; a file with one is
 * a result the server has not acknowledged yet. Only ids, names and times
 * are kept for a running invocation: never step inputs or environment,
 * which may hold secrets.
 */
export const INVOCATIONS_DIR_NAME = 'invocations';

const recordSchema = z.object({
  invocationId: z.string(),
  commandId: z.string(),
  documentName: z.string(),
  stepNames: z.array(z.string()),
  startedAt: z.number(),
  executionDeadline: z.number(),
  result: invocationResultFrame.optional(),
});
export type InvocationRecord = z.infer<typeof recordSchema>;
export type { InvocationResultFrame };

export class InvocationStore {
  readonly dir: string;

  constructor(private readonly stateDir: string) {
    this.dir = path.join(stateDir, INVOCATIONS_DIR_NAME);
  }

  /** The protocol restricts ids to [A-Za-z0-9_.:-] with no leading dot, so an id is a safe file name. */
  private file(invocationId: string): string {
    return path.join(this.dir, `${invocationId}.json`);
  }

  /** Every readable record; an unreadable file is reported through `onBad` and left for an operator. */
  async list(onBad: (file: string, problem: string) => void): Promise<InvocationRecord[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const records: InvocationRecord[] = [];
    for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
      const file = path.join(this.dir, name);
      try {
        const parsed = recordSchema.safeParse(JSON.parse(await fs.readFile(file, 'utf8')));
        if (parsed.success) records.push(parsed.data);
        else onBad(file, parsed.error.issues[0]?.message ?? 'invalid');
      } catch (err) {
        onBad(file, err instanceof Error ? err.message : String(err));
      }
    }
    return records;
  }

  /**
   * Atomic and durable: temp file 0600 in the same dir, fsync, rename, fsync
   * the dir, so a crash leaves the old record or the new one, and a record
   * written before the command started survives a power loss.
   */
  async save(record: InvocationRecord): Promise<void> {
    await ensureStateDir(this.stateDir);
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const target = this.file(record.invocationId);
    const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const handle = await fs.open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(JSON.stringify(recordSchema.parse(record)) + '\n');
      await handle.sync();
      await handle.close();
      await fs.rename(temp, target);
    } catch (err) {
      await handle.close().catch(() => {});
      await fs.rm(temp, { force: true });
      throw err;
    }
    await syncDir(this.dir);
  }

  async remove(invocationId: string): Promise<void> {
    await fs.rm(this.file(invocationId), { force: true });
  }
}

async function syncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Some file systems refuse to fsync a directory; that only weakens durability.
  } finally {
    await handle?.close();
  }
}
