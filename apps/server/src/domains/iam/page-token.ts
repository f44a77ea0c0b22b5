/**
 * Paging tokens (IAM's Marker, Tend's NextToken) are a small JSON value in
 * base64url: opaque to clients, as the AWS APIs document them, and
 * recognizably ours so a corrupted token is refused instead of misread.
 * (Shared by the IAM and audit operations; rpc/ would be its natural home.)
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
