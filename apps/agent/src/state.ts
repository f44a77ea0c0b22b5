import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/**
 * What an agent keeps between starts. The key pair is written before the
 * node registers, so a crash between registration and saving the id does
 * not leave a node the agent can never prove it owns; `instanceId` is only
 * present once registration succeeded. The activation code is never kept.
 */
const agentStateSchema = z.object({
  instanceId: z
    .string()
    .regex(/^mi-[0-9a-f]{17}$/)
    .optional(),
  serverUrl: z.string().url(),
  /** Ed25519, PKCS8 PEM. */
  privateKey: z.string().min(1),
  /** Ed25519, SPKI DER base64 (derived from privateKey; kept for operators and the registration retry). */
  publicKey: z.string().min(1),
});
export type AgentState = z.infer<typeof agentStateSchema>;

export const STATE_FILE_NAME = 'state.json';

/** The state file inside a state dir. */
export function stateFilePath(stateDir: string): string {
  return path.join(stateDir, STATE_FILE_NAME);
}

/** Reads the state, or undefined when the dir holds none yet. A corrupt file is an error, never silently replaced. */
export async function readState(stateDir: string): Promise<AgentState | undefined> {
  const file = stateFilePath(stateDir);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not valid JSON; move it away to register this machine again`);
  }
  const parsed = agentStateSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`${file} is not a Tend agent state file (${problems})`);
  }
  return parsed.data;
}

/** Creates the state dir readable by its owner only (it holds a private key). */
export async function ensureStateDir(stateDir: string): Promise<void> {
  await fs.mkdir(stateDir, { recursive: true, mode: 0o700 });
  // mkdir's mode is filtered by the umask and ignored for an existing dir.
  await fs.chmod(stateDir, 0o700);
}

/**
 * Replaces the state file atomically: a temp file in the same dir, written
 * with mode 0600 and flushed, then renamed over the old one, so a crash
 * leaves either the old state or the new one, never half of either.
 * `durable: false` skips the fsyncs: the rename still keeps the file whole
 * after a process crash, only a power loss may undo the write.
 */
export async function writeState(stateDir: string, state: AgentState, options: { durable?: boolean } = {}): Promise<void> {
  const durable = options.durable ?? true;
  await ensureStateDir(stateDir);
  const target = stateFilePath(stateDir);
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await fs.open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(JSON.stringify(agentStateSchema.parse(state), null, 2) + '\n');
    if (durable) await handle.sync();
  } catch (err) {
    await handle.close();
    await fs.rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await fs.rename(temp, target);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
  if (durable) await syncDir(stateDir);
}

/** Makes the rename itself durable; some file systems refuse to fsync a directory, which only weakens durability. */
async function syncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // best effort
  } finally {
    await handle?.close();
  }
}
