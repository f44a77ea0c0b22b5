import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_SEPARATOR, GET_INVOCATION_OUTPUT_CHARS, LIST_INVOCATIONS_OUTPUT_CHARS, OutputSink } from './output-sink.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tend-sink-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('OutputSink', () => {
  it('keeps stdout and stderr apart and streams them to listeners', async () => {
    const sink = new OutputSink({ spillDir: dir });
    const seen: string[] = [];
    sink.onData((stream, text) => seen.push(`${stream}:${text}`));
    sink.write('stdout', 'hello ');
    sink.write('stderr', 'warning\n');
    sink.write('stdout', Buffer.from('world\n'));
    sink.end();
    expect(seen).toEqual(['stdout:hello ', 'stderr:warning\n', 'stdout:world\n']);
    expect(sink.standardOutputContent()).toBe('hello world\n');
    expect(sink.standardErrorContent()).toBe('warning\n');
    expect((await sink.readFull('stdout')).toString()).toBe('hello world\n');
    expect(sink.pluginOutput()).toBe('hello world\n' + ERROR_SEPARATOR + 'warning\n');
  });

  it('decodes a character split across two chunks', () => {
    const sink = new OutputSink({ spillDir: dir });
    const bytes = Buffer.from('é€', 'utf8');
    sink.write('stdout', bytes.subarray(0, 1));
    sink.write('stdout', bytes.subarray(1, 3));
    sink.write('stdout', bytes.subarray(3));
    expect(sink.standardOutputContent()).toBe('é€');
  });

  it('keeps the beginning in the inline views', () => {
    const sink = new OutputSink({ spillDir: dir });
    sink.write('stdout', 'a'.repeat(30_000));
    sink.write('stdout', 'b'.repeat(10));
    expect(sink.standardOutputContent()).toBe('a'.repeat(GET_INVOCATION_OUTPUT_CHARS));
    expect(sink.pluginOutput()).toBe('a'.repeat(LIST_INVOCATIONS_OUTPUT_CHARS));
    expect(sink.totalBytes('stdout')).toBe(30_010);
    expect(sink.truncated('stdout')).toBe(false);
  });

  it('spills past the memory limit to a file and removes it on dispose', async () => {
    const sink = new OutputSink({ spillDir: dir, memoryLimitBytes: 1024 });
    for (let i = 0; i < 100; i++) sink.write('stdout', `${String(i).padStart(99, '.')}\n`);
    sink.end();
    const path = sink.spillPath('stdout');
    expect(path).toBeDefined();
    expect(sink.memoryBytes()).toBeLessThan(1024 + 100 * 100 * 2);
    const full = (await sink.readFull('stdout')).toString();
    expect(full.length).toBe(10_000);
    expect(full.endsWith(`${'99'.padStart(99, '.')}\n`)).toBe(true);
    await sink.dispose();
    expect(existsSync(path!)).toBe(false);
  });

  it('drops output past maxBytes and says so', async () => {
    const sink = new OutputSink({ spillDir: dir, memoryLimitBytes: 10, maxBytes: 25 });
    sink.write('stderr', 'x'.repeat(20));
    sink.write('stderr', 'y'.repeat(20));
    sink.end();
    expect(sink.totalBytes('stderr')).toBe(40);
    expect(sink.truncated('stderr')).toBe(true);
    expect((await sink.readFull('stderr')).toString()).toBe('x'.repeat(20) + 'y'.repeat(5));
    await sink.dispose();
  });

  it('survives a failing listener', () => {
    const sink = new OutputSink({ spillDir: dir });
    sink.onData(() => {
      throw new Error('connection gone');
    });
    sink.write('stdout', 'kept');
    expect(sink.standardOutputContent()).toBe('kept');
  });
});
