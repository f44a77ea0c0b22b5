import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AGENT_PROTOCOL_VERSION, RESULT_OUTPUT_CHARS, type InvocationResultFrame } from '@tend/protocol';
import type { InvocationRecord } from '../../invocations/invocation-store.js';
import { NOT_RUN_RESPONSE_CODE } from '../plugin.js';
import { ensureStateDir } from '../../state.js';

/**
 * What the three processes of an agent update share, in <state dir>/update/:
 *
 * - handoff.json: written by the old agent before it swaps the bundle and
 *   exits; says which invocation, from which version to which, where the
 *   files are and how to start the agent again.
 * - watchdog.json: the watchdog's pid, written once it runs (the old agent
 *   only exits after seeing it).
 * - outcome.json: the decision, created exactly once by whoever gets there
 *   first: the new agent when the server welcomed it ("confirmed"), or the
 *   watchdog when the time is up or the new agent died ("rolled-back"). The
 *   file is made complete under a temporary name and hard-linked into place,
 *   which fails if it exists: the two can never both win.
 *
 * The format is versioned (`v`): the new agent reads what the old one wrote.
 */
export const UPDATE_DIR_NAME = 'update';

const launchSchema = z.object({
  /** The Node.js binary. */
  node: z.string(),
  execArgv: z.array(z.string()),
  /** The agent's own arguments (`agent --server … --state-dir …`), without an activation code. */
  args: z.array(z.string()),
  cwd: z.string(),
});
export type Launch = z.infer<typeof launchSchema>;

const handoffSchema = z.object({
  v: z.literal(1),
  invocationId: z.string(),
  stepName: z.string(),
  fromVersion: z.string(),
  toVersion: z.string(),
  /** The bundle systemd or the user starts: now the new version. */
  bundleFile: z.string(),
  /** The old version, kept to run the watchdog from and to restore. */
  previousFile: z.string(),
  launch: launchSchema,
  /** true: a supervisor (systemd) starts the agent again when it exits; false: the watchdog starts it. */
  supervised: z.boolean(),
  /** The old agent's pid. */
  agentPid: z.number().int(),
  /** How long the new agent has to connect. */
  timeoutMs: z.number().positive(),
  /** What the step printed before the restart; the final result carries it. */
  output: z.string(),
  createdAt: z.number(),
});
export type Handoff = z.infer<typeof handoffSchema>;

const outcomeSchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('confirmed'), version: z.string(), pid: z.number().int(), at: z.number() }),
  z.object({ outcome: z.literal('rolled-back'), reason: z.string(), at: z.number() }),
]);
export type Outcome = z.infer<typeof outcomeSchema>;

const watchdogSchema = z.object({ pid: z.number().int() });

export function updateDir(stateDir: string): string {
  return path.join(stateDir, UPDATE_DIR_NAME);
}
const fileOf = (stateDir: string, name: 'handoff' | 'outcome' | 'watchdog') => path.join(updateDir(stateDir), `${name}.json`);

async function readJson<T>(file: string, schema: z.ZodType<T>): Promise<T | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const parsed = schema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${file} is not what this agent expects (${parsed.error.issues[0]?.message})`);
  return parsed.data;
}

/** A complete file under a temporary name in the update dir, flushed; the caller moves it into place. */
async function writeTemp(stateDir: string, value: unknown): Promise<string> {
  await ensureStateDir(stateDir);
  await fs.mkdir(updateDir(stateDir), { recursive: true, mode: 0o700 });
  const temp = path.join(updateDir(stateDir), `.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await fs.open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(JSON.stringify(value) + '\n');
    await handle.sync();
  } finally {
    await handle.close();
  }
  return temp;
}

async function writeJson(file: string, stateDir: string, value: unknown): Promise<void> {
  const temp = await writeTemp(stateDir, value);
  await fs.rename(temp, file);
  await syncDir(updateDir(stateDir));
}

export const readHandoff = (stateDir: string) => readJson(fileOf(stateDir, 'handoff'), handoffSchema);
export const readOutcome = (stateDir: string) => readJson(fileOf(stateDir, 'outcome'), outcomeSchema);
export const readWatchdog = (stateDir: string) => readJson(fileOf(stateDir, 'watchdog'), watchdogSchema);

export async function writeHandoff(stateDir: string, handoff: Handoff): Promise<void> {
  await writeJson(fileOf(stateDir, 'handoff'), stateDir, handoffSchema.parse(handoff));
}

export async function writeWatchdog(stateDir: string, pid: number): Promise<void> {
  await writeJson(fileOf(stateDir, 'watchdog'), stateDir, { pid });
}

/** Records `outcome` unless one is recorded already; returns the one that stands. */
export async function claimOutcome(stateDir: string, outcome: Outcome): Promise<Outcome> {
  const temp = await writeTemp(stateDir, outcomeSchema.parse(outcome));
  try {
    await fs.link(temp, fileOf(stateDir, 'outcome'));
    await syncDir(updateDir(stateDir));
    return outcome;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return (await readOutcome(stateDir))!;
  } finally {
    await fs.rm(temp, { force: true });
  }
}

/** The update is over: forgets it (the previous bundle stays, for a manual rollback). */
export async function clearHandoff(stateDir: string): Promise<void> {
  for (const name of ['handoff', 'outcome', 'watchdog'] as const) await fs.rm(fileOf(stateDir, name), { force: true });
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

/** The update invocation's final result: one step, its earlier output kept, the last line saying how it ended. */
export function updateResult(handoff: Handoff, record: InvocationRecord, outcome: { ok: true; line: string } | { ok: false; reason: string }): InvocationResultFrame {
  const stdout = handoff.output + (outcome.ok ? outcome.line + '\n' : '');
  const stderr = outcome.ok ? '' : outcome.reason + '\n';
  const responseCode = outcome.ok ? 0 : NOT_RUN_RESPONSE_CODE;
  const status = outcome.ok ? 'Success' : 'Failed';
  const frame: InvocationResultFrame = {
    v: AGENT_PROTOCOL_VERSION,
    type: 'invocation.result',
    invocationId: record.invocationId,
    status,
    responseCode,
    steps: [
      {
        name: handoff.stepName,
        status,
        responseCode,
        stdout: stdout.slice(0, RESULT_OUTPUT_CHARS),
        stderr: stderr.slice(0, RESULT_OUTPUT_CHARS),
        outputTruncated: stdout.length > RESULT_OUTPUT_CHARS || stderr.length > RESULT_OUTPUT_CHARS,
      },
    ],
    startedAt: record.startedAt,
    endedAt: Date.now(),
  };
  if (!outcome.ok) frame.message = outcome.reason.slice(0, 1_000);
  return frame;
}
