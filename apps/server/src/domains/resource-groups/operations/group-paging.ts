import { ServiceError } from '../../../rpc/errors.js';
import { decodePageToken, encodePageToken } from '../../iam/page-token.js';

/** NextToken resuming after the given sort key (a group name or a node id). */
export function encodeNameToken(after: string): string {
  return encodePageToken({ after });
}

/** The sort key a NextToken resumes after; BadRequestException, as Resource Groups answers, when it is not one of ours. */
export function decodeNameToken(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  const after = decodePageToken(token, (v) => (typeof v.after === 'string' ? v.after : undefined));
  if (after === undefined) throw new ServiceError('BadRequestException', 'The NextToken is not valid: pass the NextToken of the previous answer unchanged');
  return after;
}
