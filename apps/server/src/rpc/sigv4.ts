import { createHmac, hash, timingSafeEqual } from 'node:crypto';
import { ServiceError } from './errors.js';

/** Largest accepted difference between the request's signing time and the server clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

export interface SignedRequest {
  method: string;
  /** Path and query string as received, e.g. "/" or "/?a=b". */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

/**
 * Reads the Authorization header of a SigV4-signed request. Throws the
 * error AWS answers with when the header is missing or malformed.
 */
export function parseAuthorization(req: SignedRequest, now: Date): ParsedAuthorization {
  const header = req.headers['authorization'];
  if (typeof header !== 'string' || header.length === 0) {
    throw new ServiceError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  }
  if (!header.startsWith(`${ALGORITHM} `)) {
    throw new ServiceError('IncompleteSignatureException', `Unsupported authorization algorithm; only ${ALGORITHM} is accepted`);
  }
  const rest = header.slice(ALGORITHM.length + 1);
  const credential = authField(rest, 'Credential=');
  const signedHeaders = authField(rest, 'SignedHeaders=');
  const signature = authField(rest, 'Signature=');
  if (!credential || !signedHeaders || !signature) {
    throw new ServiceError(
      'IncompleteSignatureException',
      'Authorization header requires Credential, SignedHeaders and Signature parameters',
    );
  }
  const scope = credential.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request') {
    throw new ServiceError('IncompleteSignatureException', 'Credential must have the form <key>/<date>/<region>/<service>/aws4_request');
  }
  const [accessKeyId, date, region, service] = scope as [string, string, string, string];
  if (service !== 'ssm') {
    throw new ServiceError('InvalidSignatureException', `Credential should be scoped to correct service: 'ssm', not '${service}'`);
  }
  const amzDate = headerValue(req.headers['x-amz-date']) ?? '';
  const signedAt = parseAmzDate(amzDate);
  if (!signedAt) throw new ServiceError('IncompleteSignatureException', 'X-Amz-Date header is missing or not in the form YYYYMMDDTHHMMSSZ');
  if (!amzDate.startsWith(date)) {
    throw new ServiceError('InvalidSignatureException', 'Credential date does not match X-Amz-Date');
  }
  if (Math.abs(now.getTime() - signedAt.getTime()) > MAX_CLOCK_SKEW_MS) {
    throw new ServiceError(
      'InvalidSignatureException',
      `Signature expired: ${amzDate} is more than 15 minutes away from the server time ${formatAmzDate(now)}`,
    );
  }
  const headerList = signedHeaders.split(';');
  if (!headerList.includes('host')) throw new ServiceError('InvalidSignatureException', 'The host header must be signed');
  return { accessKeyId, date, region, service, signedHeaders: headerList, signature, amzDate };
}

/** One `Name=value` of the Authorization header's comma-separated list. */
function authField(list: string, prefix: string): string | undefined {
  let at = list.indexOf(prefix);
  // Only at the start of the list or of an item, so `XSignature=` is not `Signature=`.
  while (at > 0 && list[at - 1] !== ',' && list[at - 1] !== ' ') at = list.indexOf(prefix, at + 1);
  if (at === -1) return undefined;
  const end = list.indexOf(',', at);
  return list.slice(at + prefix.length, end === -1 ? undefined : end).trim();
}

const signingKeys = new Map<string, { secret: string; key: Buffer }>();

/** HMAC chain of SigV4; cached because it only changes per key, day, region and service. */
function signingKey(secret: string, auth: ParsedAuthorization): Buffer {
  const cacheKey = `${auth.accessKeyId}/${auth.date}/${auth.region}/${auth.service}`;
  const cached = signingKeys.get(cacheKey);
  // A key whose secret changed (a root key re-created with another secret) is derived again.
  if (cached && cached.secret === secret) return cached.key;
  const kDate = createHmac('sha256', `AWS4${secret}`).update(auth.date).digest();
  const kRegion = createHmac('sha256', kDate).update(auth.region).digest();
  const kService = createHmac('sha256', kRegion).update(auth.service).digest();
  const key = createHmac('sha256', kService).update('aws4_request').digest();
  if (signingKeys.size > 10_000) signingKeys.clear();
  signingKeys.set(cacheKey, { secret, key });
  return key;
}

/** Recomputes the signature with the caller's secret; throws InvalidSignatureException on mismatch. */
export function verifySignature(req: SignedRequest, auth: ParsedAuthorization, secret: string): void {
  const canonical = canonicalRequest(req, auth.signedHeaders);
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = `${ALGORITHM}\n${auth.amzDate}\n${scope}\n${sha256Hex(canonical)}`;
  const expected = createHmac('sha256', signingKey(secret, auth)).update(stringToSign).digest();
  const given = Buffer.from(auth.signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new ServiceError(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    );
  }
}

/** Header values need trimming/folding only when they hold runs of blanks or edge blanks (rare). */
const NEEDS_SPACE_FOLDING = /^\s|\s$|\s\s|[\t\r\n]/;

function canonicalRequest(req: SignedRequest, signedHeaders: string[]): string {
  const q = req.url.indexOf('?');
  const rawPath = q === -1 ? req.url : req.url.slice(0, q);
  const rawQuery = q === -1 ? '' : req.url.slice(q + 1);
  const headerLines = signedHeaders.map((name) => {
    const value = req.headers[name];
    const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
    return `${name}:${NEEDS_SPACE_FOLDING.test(joined) ? joined.trim().replace(/\s+/g, ' ') : joined}\n`;
  });
  return [
    req.method,
    canonicalPath(rawPath),
    canonicalQuery(rawQuery),
    headerLines.join(''),
    signedHeaders.join(';'),
    sha256Hex(req.body),
  ].join('\n');
}

function canonicalPath(rawPath: string): string {
  if (rawPath === '' || rawPath === '/') return '/';
  return rawPath
    .split('/')
    .map((segment) => encodeRfc3986(decodeURIComponent(segment)))
    .join('/');
}

function canonicalQuery(rawQuery: string): string {
  if (!rawQuery) return '';
  return rawQuery
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf('=');
      const k = decodeURIComponent((eq === -1 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '));
      const v = eq === -1 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
      return [encodeRfc3986(k), encodeRfc3986(v)] as const;
    })
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function sha256Hex(data: string | Buffer): string {
  // One-shot hashing: noticeably cheaper than a Hash object on this hot path.
  return hash('sha256', data, 'hex');
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function parseAmzDate(text: string): Date | undefined {
  if (!AMZ_DATE.test(text)) return undefined;
  const n = (from: number, to: number) => Number(text.slice(from, to));
  return new Date(Date.UTC(n(0, 4), n(4, 6) - 1, n(6, 8), n(9, 11), n(11, 13), n(13, 15)));
}

const AMZ_DATE = /^\d{8}T\d{6}Z$/;

/** YYYYMMDDTHHMMSSZ, the X-Amz-Date format. */
export function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}
