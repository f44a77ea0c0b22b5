import { formatTable, type Column, type TableOptions } from './table.js';

/** The output switch every client verb takes. */
export interface OutputOptions {
  json?: boolean;
}

/**
 * Prints a command's result: `json` as indented JSON with `--json`, else the
 * human form. The SDK's `$metadata` (request id, attempts) is transport
 * detail, not part of the answer, so it is left out of the JSON.
 */
export function printResult(options: OutputOptions, json: unknown, human: () => string): void {
  const text = options.json ? JSON.stringify(json, (key, value) => (key === '$metadata' ? undefined : value), 2) + '\n' : human();
  process.stdout.write(text);
}

/** An aligned table, or `empty` when there are no rows (a bare header row reads like a bug). */
export function table(columns: Column[], rows: string[][], empty: string, options?: TableOptions): string {
  return rows.length ? formatTable(columns, rows, options) : `${empty}\n`;
}

/** `2025-11-24T11:42:01Z`: ISO 8601 in UTC without milliseconds, sortable and unambiguous. */
export function formatDate(date: Date | undefined): string {
  return date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : '';
}
