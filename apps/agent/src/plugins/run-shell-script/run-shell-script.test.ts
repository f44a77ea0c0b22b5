import { existsSync } from 'node:fs';
import { mkdtemp, readdir, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, silentLogger, type Logger } from '../../logger.js';
import { eventually } from '../../testing/eventually.js';
import { GET_INVOCATION_OUTPUT_CHARS, LIST_INVOCATIONS_OUTPUT_CHARS, OutputSink } from '../output-sink.js';
import { STOPPED_PREEMPTIVELY_RESPONSE_CODE, type PluginContext } from '../plugin.js';
import { processIsAlive } from '../process-tree.js';
import { createRunShellScriptPlugin, RUN_SHELL_SCRIPT_ACTION } from './run-shell-script.js';

// Short grace so the SIGKILL escalation is exercised quickly.
const plugin = createRunShellScriptPlugin({ killGraceMs: 300, drainMs: 200 });

let scratch: string;
let sinks: OutputSink[];
const leftovers: number[] = [];

beforeEach(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'tend-shell-test-'));
  sinks = [];
});
afterEach(async () => {
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const sink of sinks) await sink.dispose();
  await rm(scratch, { recursive: true, force: true });
});

function makeContext(overrides: Partial<PluginContext> = {}): PluginContext {
  const output = new OutputSink({ spillDir: scratch });
  sinks.push(output);
  return { signal: new AbortController().signal, deadline: Date.now() + 20_000, logger: silentLogger, output, env: {}, scratchDir: scratch, ...overrides };
}

/** Pids the script announced as `name=pid` lines. */
function announcedPids(output: OutputSink, names: string[]): Map<string, number> {
  const pids = new Map<string, number>();
  for (const match of output.standardOutputContent().matchAll(/^(\w+)=(\d+)$/gm)) pids.set(match[1]!, Number(match[2]));
  return names.every((name) => pids.has(name)) ? pids : new Map();
}

/** A script whose tree is: sh → sleep, sh → sh → sleep (grandchild), and one sleep that ignores SIGTERM. */
const TREE_SCRIPT = [
  'echo "self=$$"',
  'sleep 300 &',
  'echo "child=$!"',
  `sh -c 'sleep 300 & echo "grandchild=$!"; wait' &`,
  'echo "middle=$!"',
  `sh -c 'trap "" TERM; sleep 300 & echo "stubborn=$!"; wait' &`,
  'echo "stubbornparent=$!"',
  'wait',
];
const TREE_NAMES = ['self', 'child', 'grandchild', 'middle', 'stubborn', 'stubbornparent'];

async function waitForTree(output: OutputSink): Promise<number[]> {
  await eventually('the script to announce its process tree', () => announcedPids(output, TREE_NAMES).size > 0);
  const pids = [...announcedPids(output, TREE_NAMES).values()];
  leftovers.push(...pids);
  for (const pid of pids) expect(processIsAlive(pid)).toBe(true);
  return pids;
}

describe(RUN_SHELL_SCRIPT_ACTION, () => {
  it('runs the commands as one script and collects stdout', async () => {
    const context = makeContext();
    const result = await plugin.run({ runCommand: ['greeting=hello', 'echo "$greeting world"', 'echo second line'] }, context);
    expect(result).toMatchObject({ status: 'Success', responseCode: 0 });
    expect(context.output.standardOutputContent()).toBe('hello world\nsecond line\n');
    expect(context.output.standardErrorContent()).toBe('');
  });

  it('reports stderr and the exit code of a failing script', async () => {
    const context = makeContext();
    const result = await plugin.run({ runCommand: ['echo partial', 'echo "went wrong" >&2', 'exit 3'] }, context);
    expect(result).toMatchObject({ status: 'Failed', responseCode: 3 });
    expect(context.output.standardOutputContent()).toBe('partial\n');
    expect(context.output.standardErrorContent()).toBe('went wrong\n');
  });

  it('streams output while the script is still running', async () => {
    const context = makeContext();
    const seen: string[] = [];
    context.output.onData((stream, text) => seen.push(text));
    const running = plugin.run({ runCommand: ['echo first', 'sleep 1', 'echo second'] }, context);
    await eventually('the first line', () => seen.join('').includes('first'));
    expect(seen.join('')).not.toContain('second');
    expect((await running).status).toBe('Success');
    expect(seen.join('')).toBe('first\nsecond\n');
  });

  it('runs in the working directory it is given', async () => {
    const workdir = await mkdtemp(join(scratch, 'work-'));
    const context = makeContext();
    const result = await plugin.run({ runCommand: ['pwd'], workingDirectory: workdir }, context);
    expect(result.status).toBe('Success');
    expect(context.output.standardOutputContent().trim()).toBe(await realpath(workdir));
  });

  it('refuses a working directory that does not exist, without running anything', async () => {
    const marker = join(scratch, 'ran');
    const context = makeContext();
    const result = await plugin.run({ runCommand: [`touch ${marker}`], workingDirectory: join(scratch, 'missing') }, context);
    expect(result.status).toBe('Failed');
    expect(result.message).toMatch(/Working directory .*missing does not exist/);
    expect(context.output.standardErrorContent()).toContain('does not exist');
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses inputs without commands', async () => {
    const result = await plugin.run({ runCommand: [] }, makeContext());
    expect(result.status).toBe('Failed');
    expect(result.message).toContain('runCommand');
  });

  it('passes step variables through the environment only, and never logs them', async () => {
    const secret = 'hunter2-' + Math.random().toString(36).slice(2);
    const lines: string[] = [];
    const logger: Logger = createLogger({ level: 'debug', write: (line) => lines.push(line) });
    const context = makeContext({ env: { SSM_password: secret }, logger });
    const result = await plugin.run({ runCommand: ['echo "value=$SSM_password"', 'echo "home=$HOME"', 'echo ---', 'cat "$0"'] }, context);
    expect(result.status).toBe('Success');
    const [before, scriptText] = context.output.standardOutputContent().split('---\n');
    expect(before).toContain(`value=${secret}\n`);
    // The agent's own environment is there too.
    expect(before).toContain(`home=${process.env.HOME ?? ''}\n`);
    expect(scriptText).toContain('$SSM_password');
    expect(scriptText).not.toContain(secret);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('')).not.toContain(secret);
  });

  it('writes the script 0700 in a per-invocation directory and removes it afterwards', async () => {
    const context = makeContext();
    const result = await plugin.run({ runCommand: ['dirname "$0"', 'stat -c %a "$0"', 'stat -c %a "$(dirname "$0")"'] }, context);
    expect(result.status).toBe('Success');
    const [dir, scriptMode, dirMode] = context.output.standardOutputContent().trim().split('\n');
    expect(dir!.startsWith(scratch)).toBe(true);
    expect(scriptMode).toBe('700');
    expect(dirMode).toBe('700');
    expect(existsSync(dir!)).toBe(false);
    expect((await readdir(scratch)).filter((name) => name.startsWith('tend-run-'))).toEqual([]);
  });

  it('on cancel kills the whole process tree, including a child that ignores SIGTERM', async () => {
    const controller = new AbortController();
    const context = makeContext({ signal: controller.signal });
    const running = plugin.run({ runCommand: TREE_SCRIPT }, context);
    const pids = await waitForTree(context.output);
    controller.abort();
    const result = await running;
    expect(result).toMatchObject({ status: 'Cancelled', responseCode: STOPPED_PREEMPTIVELY_RESPONSE_CODE });
    for (const pid of pids) expect(processIsAlive(pid), `pid ${pid}`).toBe(false);
    expect((await readdir(scratch)).filter((name) => name.startsWith('tend-run-'))).toEqual([]);
  });

  it('on execution timeout reports TimedOut and kills the tree', async () => {
    const context = makeContext();
    const started = Date.now();
    const running = plugin.run({ runCommand: TREE_SCRIPT, timeoutSeconds: '1' }, context);
    const pids = await waitForTree(context.output);
    const result = await running;
    expect(result).toMatchObject({ status: 'TimedOut', responseCode: STOPPED_PREEMPTIVELY_RESPONSE_CODE });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    for (const pid of pids) expect(processIsAlive(pid), `pid ${pid}`).toBe(false);
  });

  it('honours the context deadline when it comes before the input timeout', async () => {
    const context = makeContext({ deadline: Date.now() + 300 });
    const result = await plugin.run({ runCommand: ['sleep 300 &', 'echo "sleeper=$!"', 'wait'], executionTimeout: 3600 }, context);
    expect(result.status).toBe('TimedOut');
    const sleeper = Number(/sleeper=(\d+)/.exec(context.output.standardOutputContent())?.[1]);
    leftovers.push(sleeper);
    expect(sleeper).toBeGreaterThan(0);
    expect(processIsAlive(sleeper)).toBe(false);
  });

  it('does not run a step that was cancelled before it started', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await plugin.run({ runCommand: ['echo never'] }, makeContext({ signal: controller.signal }));
    expect(result.status).toBe('Cancelled');
  });

  it('does not wait for background processes a finished script left holding its output', async () => {
    const context = makeContext();
    const started = Date.now();
    const result = await plugin.run({ runCommand: ['sleep 300 &', 'echo "bg=$!"', 'echo done'] }, context);
    const bg = Number(/bg=(\d+)/.exec(context.output.standardOutputContent())?.[1]);
    leftovers.push(bg);
    expect(result.status).toBe('Success');
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('handles 10 MB of output without holding it in memory, with correct inline views', async () => {
    const context = makeContext();
    const size = 10 * 1024 * 1024;
    const result = await plugin.run({ runCommand: [`head -c ${size} /dev/zero | tr '\\0' x`, 'echo tail-marker', 'echo small error >&2'] }, context);
    expect(result.status).toBe('Success');
    const output = context.output;
    expect(output.totalBytes('stdout')).toBe(size + 'tail-marker\n'.length);
    expect(output.spillPath('stdout')).toBeDefined();
    expect(output.memoryBytes()).toBeLessThanOrEqual(4 * 1024 * 1024 + 2 * GET_INVOCATION_OUTPUT_CHARS * 2);
    expect(output.standardOutputContent()).toBe('x'.repeat(GET_INVOCATION_OUTPUT_CHARS));
    expect(output.pluginOutput()).toBe('x'.repeat(LIST_INVOCATIONS_OUTPUT_CHARS));
    expect(output.standardErrorContent()).toBe('small error\n');
    const full = await output.readFull('stdout');
    expect(full.length).toBe(size + 'tail-marker\n'.length);
    expect(full.subarray(-12).toString()).toBe('tail-marker\n');
  });
});
