import fs from 'node:fs';
import path from 'node:path';

export type OutputStream = 'stdout' | 'stderr';

export interface OutputSlice {
  content: string;
  offset: number;
  nextOffset: number;
  /** Bytes stored so far. */
  totalBytes: number;
}

const COMMAND_ID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Most of one step's stream copied to a shared database for the other
 * replicas (past it, they serve the first this many bytes).
 */
export const COPIED_OUTPUT_BYTES = 8 * 1_048_576;

/** Largest slice one read answers (Tend.GetCommandOutput's MaxBytes ceiling). */
export const MAX_OUTPUT_READ_BYTES = 1_048_576;

/**
 * The full output of every invocation step, as files in the data dir (DESIGN.md: large blobs go to
 * a blob store, the data dir by default): <root>/<commandId>/<instanceId>.<step>.<stream>, one
 * directory per command (made once) rather than per node.
 * The database keeps only the heads the API answers inline (2,500 and 24,000 characters).
 *
 * Writes are synchronous appends: output frames of one invocation arrive in order on one socket,
 * and a synchronous append keeps that order without a queue per file. Callers pass ids that were
 * checked against the database (a command id is a UUID, a node id `mi-` and hex digits: neither has
 * a dot or a slash) and step names from the document (`[A-Za-z0-9_.-]{1,128}`), so no path can
 * leave the root and no two invocations or steps share a file.
 */
export class CommandOutputStore {
  /** Command directories known to exist, so a fleet's first chunks do not each try a mkdir. */
  private readonly made = new Set<string>();

  constructor(private readonly root: string) {}

  private file(commandId: string, instanceId: string, step: string, stream: OutputStream): string {
    return path.join(this.root, commandId, `${instanceId}.${step}.${stream}`);
  }

  private directoryFor(commandId: string): void {
    if (this.made.has(commandId)) return;
    fs.mkdirSync(path.join(this.root, commandId), { recursive: true, mode: 0o700 });
    // Bounded: one entry per command this process wrote output for since it started.
    if (this.made.size > 10_000) this.made.clear();
    this.made.add(commandId);
  }

  append(commandId: string, instanceId: string, step: string, stream: OutputStream, text: string): void {
    if (text.length === 0) return;
    this.directoryFor(commandId);
    fs.appendFileSync(this.file(commandId, instanceId, step, stream), text, { mode: 0o600 });
  }

  /** Replaces a stream's stored output (the result's head, when frames were lost to a reconnection). */
  replace(commandId: string, instanceId: string, step: string, stream: OutputStream, text: string): void {
    this.directoryFor(commandId);
    fs.writeFileSync(this.file(commandId, instanceId, step, stream), text, { mode: 0o600 });
  }

  /** Removes a command's stored output (its history was pruned); false if this replica held none. */
  removeCommand(commandId: string): boolean {
    const directory = path.join(this.root, commandId);
    this.made.delete(commandId);
    if (!fs.existsSync(directory)) return false;
    fs.rmSync(directory, { recursive: true, force: true });
    return true;
  }

  /**
   * Commands with output here that was last written before `before`
   * (milliseconds): candidates for pruning. Only directory names shaped like
   * a command id count, so nothing else under the root is ever touched.
   */
  commandsWrittenBefore(before: number): string[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.root);
    } catch {
      return [];
    }
    return names.filter((name) => {
      if (!COMMAND_ID_SHAPE.test(name)) return false;
      try {
        return fs.statSync(path.join(this.root, name)).mtimeMs < before;
      } catch {
        return false;
      }
    });
  }

  size(commandId: string, instanceId: string, step: string, stream: OutputStream): number {
    try {
      return fs.statSync(this.file(commandId, instanceId, step, stream)).size;
    } catch {
      return 0;
    }
  }

  /**
   * Bytes [offset, offset + maxBytes) as text, ending on a character boundary so a multi-byte
   * character is never split between two reads (the next read starts where this one stopped).
   */
  read(commandId: string, instanceId: string, step: string, stream: OutputStream, offset: number, maxBytes: number): OutputSlice {
    let fd: number;
    try {
      fd = fs.openSync(this.file(commandId, instanceId, step, stream), 'r');
    } catch {
      return { content: '', offset, nextOffset: offset, totalBytes: 0 };
    }
    try {
      const totalBytes = fs.fstatSync(fd).size;
      const start = Math.min(offset, totalBytes);
      const length = Math.min(maxBytes, totalBytes - start);
      const buffer = Buffer.alloc(length);
      const read = length > 0 ? fs.readSync(fd, buffer, 0, length, start) : 0;
      let end = read;
      if (start + read < totalBytes) end = characterBoundary(buffer, read);
      return { content: buffer.toString('utf8', 0, end), offset: start, nextOffset: start + end, totalBytes };
    } finally {
      fs.closeSync(fd);
    }
  }
}

/**
 * The same slice of a text held in memory: the head the database keeps, for
 * a replica whose data dir does not hold the invocation's output file.
 */
export function sliceText(text: string, offset: number, maxBytes: number): OutputSlice {
  const bytes = Buffer.from(text, 'utf8');
  const start = Math.min(offset, bytes.length);
  const length = Math.min(maxBytes, bytes.length - start);
  const window = bytes.subarray(start, start + length);
  const end = start + length < bytes.length ? characterBoundary(window, length) : length;
  return { content: window.toString('utf8', 0, end), offset: start, nextOffset: start + end, totalBytes: bytes.length };
}

/** The largest n <= length at which buffer[0, n) ends with a whole UTF-8 character. */
function characterBoundary(buffer: Buffer, length: number): number {
  // Walk back over continuation bytes (10xxxxxx) to the lead byte of the last character.
  let lead = length - 1;
  while (lead >= 0 && lead > length - 4 && (buffer[lead]! & 0xc0) === 0x80) lead--;
  if (lead < 0) return length;
  const byte = buffer[lead]!;
  const size = byte < 0x80 ? 1 : byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
  return lead + size <= length ? length : lead;
}
