import fs from 'node:fs';
import path from 'node:path';
import { CliError } from '../errors.js';

/** The content formats a document file can be given in. */
export const FILE_FORMATS = ['YAML', 'JSON'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

export interface DocumentFile {
  content: string;
  format: FileFormat;
}

/**
 * Reads a document's content from `file`, sent as is. The format is
 * `format` when given, else from the extension (.yaml/.yml, .json), else
 * JSON when the text opens with `{` and YAML otherwise.
 */
export function readDocumentFile(file: string, format: FileFormat | undefined): DocumentFile {
  let content: string;
  try {
    content = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError('FileReadError', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return { content, format: format ?? formatOf(file, content) };
}

function formatOf(file: string, content: string): FileFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return 'YAML';
  if (ext === '.json') return 'JSON';
  return content.trimStart().startsWith('{') ? 'JSON' : 'YAML';
}
