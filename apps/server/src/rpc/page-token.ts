import { createHash } from 'node:crypto';
import { ServiceError } from './errors.js';

/**
 * Paging tokens (NextToken, IAM's Marker) are a small JSON value in
 * base64url: opaque to clients, as the AWS APIs document them, and
 * recognizably ours so a corrupted token is refused instead of misread.
 */
export function encodePageToken(value: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** Decodes a token made by `encodePageToken`; undefined when it is not one or `read` rejects its content. */
export function decodePageToken<T>(token: string, read: (value: Record<string, unknown>) => T | undefined): T | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? read(value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Identifies the query a NextToken was issued for, so a token is not replayed against another query. */
export function queryFingerprint(query: unknown): string {
  return createHash('sha256').update(JSON.stringify(query)).digest('base64url').slice(0, 16);
}

/** Opaque NextToken: where the previous page stopped (a sort key), bound to its query. */
export function encodeNextToken(position: string | number, fingerprint: string): string {
  return encodePageToken({ p: position, q: fingerprint });
}

// Numeric positions are compared with 32-bit integer columns; a larger one would be a database error, not an empty page.
const MAX_NUMERIC_POSITION = 2_147_483_647;

/** The position a NextToken carries; InvalidNextToken if it was not issued for this query. */
export function decodeNextToken<P extends string | number>(token: string | undefined, fingerprint: string, kind: 'string' | 'number'): P | undefined {
  if (token === undefined) return undefined;
  const position = decodePageToken(token, (v) => {
    if (v.q !== fingerprint) return undefined;
    const p = v.p;
    if (kind === 'string') return typeof p === 'string' ? p : undefined;
    return Number.isInteger(p) && (p as number) >= 0 && (p as number) <= MAX_NUMERIC_POSITION ? p : undefined;
  });
  if (position === undefined) throw new ServiceError('InvalidNextToken', "The specified token isn't valid.");
  return position as P;
}
