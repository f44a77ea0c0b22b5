import { createHmac, hash } from 'node:crypto';
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
  if (signedAt === undefined) throw new ServiceError('IncompleteSignatureException', 'X-Amz-Date header is missing or not in the form YYYYMMDDTHHMMSSZ');
  if (!amzDate.startsWith(date)) {
    throw new ServiceError('InvalidSignatureException', 'Credential date does not match X-Amz-Date');
  }
  if (Math.abs(now.getTime() - signedAt) > MAX_CLOCK_SKEW_MS) {
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

const signingKeys = new Map<string, { secret: string; key: HmacSha256Key }>();

/** HMAC chain of SigV4; cached because it only changes per key, day, region and service. */
function signingKey(secret: string, auth: ParsedAuthorization): HmacSha256Key {
  const cacheKey = `${auth.accessKeyId}/${auth.date}/${auth.region}/${auth.service}`;
  const cached = signingKeys.get(cacheKey);
  // A key whose secret changed (a root key re-created with another secret) is derived again.
  if (cached && cached.secret === secret) return cached.key;
  const kDate = createHmac('sha256', `AWS4${secret}`).update(auth.date).digest();
  const kRegion = createHmac('sha256', kDate).update(auth.region).digest();
  const kService = createHmac('sha256', kRegion).update(auth.service).digest();
  const key = new HmacSha256Key(createHmac('sha256', kService).update('aws4_request').digest());
  if (signingKeys.size > 10_000) signingKeys.clear();
  signingKeys.set(cacheKey, { secret, key });
  return key;
}

/** Recomputes the signature with the caller's secret; throws InvalidSignatureException on mismatch. */
export function verifySignature(req: SignedRequest, auth: ParsedAuthorization, secret: string): void {
  const canonical = canonicalRequest(req, auth.signedHeaders);
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = `${ALGORITHM}\n${auth.amzDate}\n${scope}\n${sha256Hex(canonical)}`;
  const expected = signingKey(secret, auth).signHex(stringToSign);
  if (!constantTimeEqual(auth.signature.toLowerCase(), expected)) {
    throw new ServiceError(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    );
  }
}

const SHA256_BLOCK_BYTES = 64;
const SHA256_BYTES = 32;

/**
 * HMAC-SHA256 under one key (RFC 2104: H((K ^ opad) || H((K ^ ipad) || m))),
 * as two one-shot hashes over buffers that already hold the key's pads.
 * Same result as `createHmac`, at a third of its cost on this path: no Hmac
 * object per signature, no buffer allocated per request (the buffers are
 * reused, which is safe because hashing is synchronous), and digests taken
 * as hex, which node produces much faster than a new Buffer.
 */
export class HmacSha256Key {
  /** The inner pad, then the message of the signature being computed. */
  private inner = Buffer.alloc(SHA256_BLOCK_BYTES + 256, 0x36);
  /** The outer pad, then the inner digest. */
  private readonly outer = Buffer.alloc(SHA256_BLOCK_BYTES + SHA256_BYTES, 0x5c);

  /** `key` is at most one block long, as every SigV4 signing key (32 bytes) is. */
  constructor(key: Buffer) {
    if (key.length > SHA256_BLOCK_BYTES) throw new RangeError('HmacSha256Key takes keys of at most 64 bytes');
    for (let i = 0; i < key.length; i++) {
      this.inner[i]! ^= key[i]!;
      this.outer[i]! ^= key[i]!;
    }
  }

  /** The HMAC of `message` (UTF-8) as lower-case hex. */
  signHex(message: string): string {
    const length = Buffer.byteLength(message);
    if (this.inner.length < SHA256_BLOCK_BYTES + length) {
      const larger = Buffer.alloc(SHA256_BLOCK_BYTES + length);
      this.inner.copy(larger, 0, 0, SHA256_BLOCK_BYTES);
      this.inner = larger;
    }
    this.inner.write(message, SHA256_BLOCK_BYTES, 'utf8');
    const innerDigest = hash('sha256', this.inner.subarray(0, SHA256_BLOCK_BYTES + length), 'hex');
    this.outer.write(innerDigest, SHA256_BLOCK_BYTES, 'hex');
    return hash('sha256', this.outer, 'hex');
  }
}

/** Equality of two strings in a time that depends only on their length, so timing tells a forger nothing. */
function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/** Header values need trimming/folding only when they hold runs of blanks or edge blanks (rare). */
const NEEDS_SPACE_FOLDING = /^\s|\s$|\s\s|[\t\r\n]/;

// Built by plain concatenation rather than arrays joined per line: it runs on every request.
function canonicalRequest(req: SignedRequest, signedHeaders: string[]): string {
  const q = req.url.indexOf('?');
  const rawPath = q === -1 ? req.url : req.url.slice(0, q);
  const rawQuery = q === -1 ? '' : req.url.slice(q + 1);
  let text = `${req.method}\n${canonicalPath(rawPath)}\n${canonicalQuery(rawQuery)}\n`;
  for (const name of signedHeaders) text += `${name}:${canonicalHeaderValue(req.headers[name])}\n`;
  return `${text}\n${signedHeaders.join(';')}\n${sha256Hex(req.body)}`;
}

function canonicalHeaderValue(value: string | string[] | undefined): string {
  const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
  return NEEDS_SPACE_FOLDING.test(joined) ? joined.trim().replace(/\s+/g, ' ') : joined;
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

/** The last X-Amz-Date parsed: the clients of a busy server sign within the same second. */
let lastAmzDate: { text: string; ms: number } | undefined;

/** Milliseconds since the epoch of a YYYYMMDDTHHMMSSZ time, or undefined if it is not one. */
function parseAmzDate(text: string): number | undefined {
  if (text === lastAmzDate?.text) return lastAmzDate.ms;
  if (!AMZ_DATE.test(text)) return undefined;
  const ms = Date.UTC(
    Number(text.slice(0, 4)),
    Number(text.slice(4, 6)) - 1,
    Number(text.slice(6, 8)),
    Number(text.slice(9, 11)),
    Number(text.slice(11, 13)),
    Number(text.slice(13, 15)),
  );
  lastAmzDate = { text, ms };
  return ms;
}

const AMZ_DATE = /^\d{8}T\d{6}Z$/;

/** YYYYMMDDTHHMMSSZ, the X-Amz-Date format. */
export function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}
