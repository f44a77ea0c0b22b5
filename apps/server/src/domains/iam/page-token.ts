/**
 * Moved to rpc/page-token.ts, shared by every domain; this re-export keeps
 * existing imports working until they point there.
 */
export { decodePageToken, encodePageToken } from '../../rpc/page-token.js';
