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

/**
 * One record as `Field:  value` lines (the `show`/`get` verbs). Fields
 * without a value are left out rather than printed empty.
 */
export function fieldTable(fields: Array<[string, string | undefined]>): string {
  const rows = fields.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [`${k}:`, v!]);
  return table([{ header: 'field' }, { header: 'value' }], rows, '', { header: false });
}

/** Tags in one cell: `Env=prod,Team=core`, in the order the API gives (by key). */
export function formatTags(tags: ReadonlyArray<{ Key?: string; Value?: string }> | undefined): string {
  return (tags ?? []).map((t) => `${t.Key ?? ''}=${t.Value ?? ''}`).join(',');
}

/** `2025-11-24T11:42:01Z`: ISO 8601 in UTC without milliseconds, sortable and unambiguous. */
export function formatDate(date: Date | undefined): string {
  return date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : '';
}
