export interface Column {
  header: string;
  align?: 'left' | 'right';
  /** Longer cells are cut with an ellipsis so one long value cannot push every row off screen. */
  maxWidth?: number;
}

export interface TableOptions {
  /** Print the header row (default true); off for key/value listings. */
  header?: boolean;
}

const GAP = '  ';

/**
 * Aligned plain-text columns, in the style of `docker ps`: upper-case
 * headers, two spaces between columns, no trailing blanks. Cells are made
 * single-line and free of control characters first, because values come from
 * the server and may contain newlines or terminal escape sequences.
 */
export function formatTable(columns: Column[], rows: string[][], options: TableOptions = {}): string {
  const cells = rows.map((row) => columns.map((col, i) => fitCell(row[i] ?? '', col.maxWidth)));
  const head = columns.map((c) => c.header.toUpperCase());
  const all = options.header === false ? cells : [head, ...cells];
  const widths = columns.map((_, i) => Math.max(0, ...all.map((row) => row[i]!.length)));
  const lines = all.map((row) =>
    row
      .map((cell, i) => {
        const last = i === row.length - 1;
        if (columns[i]!.align === 'right') return cell.padStart(widths[i]!);
        return last ? cell : cell.padEnd(widths[i]!);
      })
      .join(GAP)
      .trimEnd(),
  );
  return lines.join('\n') + '\n';
}

/** Escapes control characters (\n, \t, ESC, …) so a cell stays on one line and cannot drive the terminal. */
export function singleLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

function fitCell(text: string, maxWidth: number | undefined): string {
  const line = singleLine(text);
  if (!maxWidth || line.length <= maxWidth) return line;
  return line.slice(0, Math.max(1, maxWidth - 1)) + '…';
}
