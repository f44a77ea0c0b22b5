import { closeSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

export type OutputStream = 'stdout' | 'stderr';

/** Characters of plugin output ListCommandInvocations returns inline (CommandPlugins[].Output). */
export const LIST_INVOCATIONS_OUTPUT_CHARS = 2_500;
/** Characters GetCommandInvocation returns in StandardOutputContent / StandardErrorContent. */
export const GET_INVOCATION_OUTPUT_CHARS = 24_000;
/** Separator Systems Manager puts between stdout and stderr in a plugin's combined Output. */
export const ERROR_SEPARATOR = '\n----------ERROR-------\n';

export type OutputListener = (stream: OutputStream, text: string) => void;

export interface OutputSinkOptions {
  /** Where output beyond `memoryLimitBytes` spills (the agent's state dir); the OS temp dir when absent. */
  spillDir?: string;
  /** Bytes of one stream kept in memory before the stream moves to a file. Default 4 MiB. */
  memoryLimitBytes?: number;
  /** Bytes of one stream kept at all (memory + file); the rest is counted, dropped and marked truncated. Default 1 GiB. */
  maxBytes?: number;
}

class StreamState {
  readonly decoder = new StringDecoder('utf8');
  /** The first characters, decoded, for the inline views (which keep the beginning, as Systems Manager does). */
  head = '';
  chunks: Buffer[] = [];
  memoryBytes = 0;
  keptBytes = 0;
  totalBytes = 0;
  spillFd: number | undefined;
  spillPath: string | undefined;
}

/**
 * Collects one step's stdout and stderr.
 *
 * Choice for full output: everything is kept (the server stores it in full —
 * "full output without truncation" is something users of Systems Manager ask
 * for), but only the first `memoryLimitBytes` of a stream live in memory;
 * past that the stream is written to a file under `spillDir`, so a command
 * printing gigabytes costs disk, not agent memory. A ceiling (`maxBytes`)
 * protects the disk; output past it is counted and flagged as truncated.
 * Spill files are synchronous appends: the order of writes is the order of
 * output, and chunks are small (pipe-sized).
 *
 * The inline views keep the *beginning* of the output (Systems Manager:
 * "the first 24,000 characters written by the plugin"), counted in
 * JavaScript characters, decoded as UTF-8 across chunk boundaries.
 */
export class OutputSink {
  private readonly streams: Record<OutputStream, StreamState> = { stdout: new StreamState(), stderr: new StreamState() };
  private readonly listeners = new Set<OutputListener>();
  private readonly memoryLimitBytes: number;
  private readonly maxBytes: number;
  private readonly spillDir: string;
  private spillRoot: string | undefined;
  private ended = false;

  constructor(options: OutputSinkOptions = {}) {
    this.memoryLimitBytes = options.memoryLimitBytes ?? 4 * 1024 * 1024;
    this.maxBytes = options.maxBytes ?? 1024 * 1024 * 1024;
    this.spillDir = options.spillDir ?? tmpdir();
  }

  /** Live progress: called with each decoded piece as it arrives. Returns an unsubscribe function. */
  onData(listener: OutputListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  write(stream: OutputStream, chunk: Buffer | string): void {
    if (this.ended) return;
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    this.store(stream, bytes);
    this.publish(stream, this.streams[stream].decoder.write(bytes));
  }

  /** No more output: flushes a trailing partial character and closes spill files. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const name of ['stdout', 'stderr'] as const) {
      const state = this.streams[name];
      this.publish(name, state.decoder.end());
      if (state.spillFd !== undefined) closeSync(state.spillFd);
      state.spillFd = undefined;
    }
  }

  /** The first `chars` characters of a stream (at most GET_INVOCATION_OUTPUT_CHARS). */
  head(stream: OutputStream, chars = GET_INVOCATION_OUTPUT_CHARS): string {
    return this.streams[stream].head.slice(0, chars);
  }

  /** GetCommandInvocation's StandardOutputContent. */
  standardOutputContent(): string {
    return this.head('stdout', GET_INVOCATION_OUTPUT_CHARS);
  }

  /** GetCommandInvocation's StandardErrorContent. */
  standardErrorContent(): string {
    return this.head('stderr', GET_INVOCATION_OUTPUT_CHARS);
  }

  /** ListCommandInvocations' CommandPlugins[].Output: stdout, then the error separator and stderr, cut at 2,500 characters. */
  pluginOutput(chars = LIST_INVOCATIONS_OUTPUT_CHARS): string {
    const stdout = this.head('stdout', chars);
    const stderr = this.streams.stderr.head;
    return (stderr === '' ? stdout : stdout + ERROR_SEPARATOR + stderr).slice(0, chars);
  }

  /** Bytes the process wrote to a stream, including any past `maxBytes`. */
  totalBytes(stream: OutputStream): number {
    return this.streams[stream].totalBytes;
  }

  /** True when output past `maxBytes` was dropped. */
  truncated(stream: OutputStream): boolean {
    const state = this.streams[stream];
    return state.totalBytes > state.keptBytes;
  }

  /** Bytes of output held in memory right now (both streams). */
  memoryBytes(): number {
    return this.streams.stdout.memoryBytes + this.streams.stderr.memoryBytes + (this.streams.stdout.head.length + this.streams.stderr.head.length) * 2;
  }

  /** The file a stream spilled to, if it outgrew memory. */
  spillPath(stream: OutputStream): string | undefined {
    return this.streams[stream].spillPath;
  }

  /** The full kept output of a stream (reads the spill file when there is one). */
  async readFull(stream: OutputStream): Promise<Buffer> {
    const state = this.streams[stream];
    return state.spillPath === undefined ? Buffer.concat(state.chunks) : readFile(state.spillPath);
  }

  /** Removes spill files; call once the full output has been handed over. */
  async dispose(): Promise<void> {
    this.end();
    if (this.spillRoot !== undefined) await rm(this.spillRoot, { recursive: true, force: true });
    this.spillRoot = undefined;
    for (const state of Object.values(this.streams)) {
      state.spillPath = undefined;
      state.chunks = [];
      state.memoryBytes = 0;
    }
  }

  private store(stream: OutputStream, bytes: Buffer): void {
    const state = this.streams[stream];
    state.totalBytes += bytes.length;
    const room = this.maxBytes - state.keptBytes;
    if (room <= 0) return;
    const kept = bytes.length > room ? bytes.subarray(0, room) : bytes;
    state.keptBytes += kept.length;
    if (state.spillFd === undefined && state.memoryBytes + kept.length > this.memoryLimitBytes) this.spill(stream, state);
    if (state.spillFd !== undefined) {
      writeSync(state.spillFd, kept);
    } else {
      // Copy: callers may reuse their buffer.
      state.chunks.push(Buffer.from(kept));
      state.memoryBytes += kept.length;
    }
  }

  private spill(stream: OutputStream, state: StreamState): void {
    this.spillRoot ??= mkdtempSync(join(this.spillDir, 'tend-output-'));
    state.spillPath = join(this.spillRoot, stream);
    state.spillFd = openSync(state.spillPath, 'w', 0o600);
    for (const chunk of state.chunks) writeSync(state.spillFd, chunk);
    state.chunks = [];
    state.memoryBytes = 0;
  }

  private publish(stream: OutputStream, text: string): void {
    if (text === '') return;
    const state = this.streams[stream];
    if (state.head.length < GET_INVOCATION_OUTPUT_CHARS) state.head += text.slice(0, GET_INVOCATION_OUTPUT_CHARS - state.head.length);
    for (const listener of this.listeners) {
      try {
        listener(stream, text);
      } catch {
        // A failing progress listener (e.g. a dropped connection) must not lose output.
      }
    }
  }
}
