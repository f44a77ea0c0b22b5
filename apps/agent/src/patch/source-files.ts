import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PatchSource } from '@tend/protocol';
import { abortError, type CommandRunner } from './command-runner.js';
import { sourceFileStem, sourcesForProduct } from './package-backend.js';

/**
 * A baseline's Sources, written as package-manager configuration files for
 * the duration of one operation. Every backend does the same thing with a
 * different directory and file format, so the write-and-restore lives here.
 */

export interface SourceFile {
  /** Path on the managed system, e.g. /etc/apt/sources.list.d/tend-patch-internal.list. */
  systemPath: string;
  content: string;
}

/**
 * Writes `files` into the managed system, runs `operation`, and puts back
 * exactly what was there before (a file of the same name is restored, a new
 * one removed) whether the operation succeeds, throws or is cancelled.
 */
export async function withSourceFiles<T>(runner: CommandRunner, files: readonly SourceFile[], operation: () => Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) throw abortError(signal);
  const written: Array<{ hostPath: string; previous: string | undefined }> = [];
  try {
    for (const file of files) {
      const hostPath = await runner.hostPath(file.systemPath);
      const previous = await readFile(hostPath, 'utf8').catch(() => undefined);
      await mkdir(path.dirname(hostPath), { recursive: true });
      // Recorded before writing, so a failed write is still undone.
      written.push({ hostPath, previous });
      await writeFile(hostPath, file.content.endsWith('\n') ? file.content : file.content + '\n', { mode: 0o644 });
    }
    return await operation();
  } finally {
    // Reverse order: two sources with the same file name unwind to the original.
    for (const { hostPath, previous } of written.reverse()) {
      if (previous === undefined) await unlink(hostPath).catch(() => {});
      else await writeFile(hostPath, previous);
    }
  }
}

/** The source files of the baseline sources that apply to `product`, rendered by `render` (which picks the path and format). */
export function sourceFilesFor(
  sources: readonly PatchSource[],
  product: string,
  render: (source: PatchSource, stem: string) => SourceFile,
): SourceFile[] {
  const used = new Set<string>();
  return sourcesForProduct(sources, product).map((source, index) => {
    // Two names that differ only in characters a file name cannot hold must not share a file.
    let stem = sourceFileStem(source, index);
    for (let n = 2; used.has(stem); n++) stem = `${sourceFileStem(source, index)}-${n}`;
    used.add(stem);
    return render(source, stem);
  });
}
