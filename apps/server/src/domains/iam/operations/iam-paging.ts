import { validationError } from '../../../rpc/errors.js';
import { decodePageToken, encodePageToken } from '../../../rpc/page-token.js';

/** IAM's default page size. */
export const DEFAULT_MAX_ITEMS = 100;

/** The sort key of the last item returned, as an opaque Marker. */
export function encodeMarker(lastKey: string): string {
  return encodePageToken({ after: lastKey });
}

/** The sort key a Marker resumes after; ValidationException when the marker is not one of ours. */
export function decodeMarker(marker: string | undefined): string | undefined {
  if (marker === undefined) return undefined;
  const after = decodePageToken(marker, (v) => (typeof v.after === 'string' ? v.after : undefined));
  if (after === undefined) throw validationError('Invalid Marker: pass the Marker of the previous answer unchanged');
  return after;
}

/** One page: its items, and the members IAM adds to a list answer. */
export interface IamPage<T> {
  items: T[];
  paging: { IsTruncated: boolean; Marker?: string };
}

/**
 * Cuts one page from `rows`, which are sorted by key and may hold one row
 * more than `limit` (that extra row is how truncation is detected).
 */
export function finishPage<T>(rows: T[], limit: number, keyOf: (row: T) => string): IamPage<T> {
  if (rows.length <= limit) return { items: rows, paging: { IsTruncated: false } };
  const items = rows.slice(0, limit);
  return { items, paging: { IsTruncated: true, Marker: encodeMarker(keyOf(items[items.length - 1]!)) } };
}

/** Pages a short list already in memory and sorted by key (a user's access keys or policy names). */
export function pageInMemory<T>(
  sorted: T[],
  input: { Marker?: string; MaxItems?: number },
  keyOf: (row: T) => string,
): IamPage<T> {
  const after = decodeMarker(input.Marker);
  const rest = after === undefined ? sorted : sorted.filter((row) => keyOf(row) > after);
  return finishPage(rest, input.MaxItems ?? DEFAULT_MAX_ITEMS, keyOf);
}
