import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HmacSha256Key, parseAuthorization } from './sigv4.js';

const now = new Date('2026-11-24T12:00:00Z');
const request = (authorization: string) => ({
  method: 'POST',
  url: '/',
  headers: { authorization, 'x-amz-date': '20261124T115900Z', host: 'h' },
  body: Buffer.alloc(0),
});

describe('parseAuthorization', () => {
  it('reads the fields in any order and spacing', () => {
    const auth = parseAuthorization(
      request('AWS4-HMAC-SHA256 Signature=abc123,  SignedHeaders=host;x-amz-date, Credential=AKIAX/20261124/eu-west-1/ssm/aws4_request'),
      now,
    );
    expect(auth).toMatchObject({ accessKeyId: 'AKIAX', region: 'eu-west-1', signature: 'abc123', signedHeaders: ['host', 'x-amz-date'] });
  });

  it('does not take a field whose name merely ends like another', () => {
    expect(() =>
      parseAuthorization(request('AWS4-HMAC-SHA256 Credential=AKIAX/20261124/us-east-1/ssm/aws4_request, SignedHeaders=host, XSignature=abc'), now),
    ).toThrow(/requires Credential, SignedHeaders and Signature/);
  });

  it('refuses a malformed date and another service', () => {
    const base = 'AWS4-HMAC-SHA256 Credential=AKIAX/20261124/us-east-1/ssm/aws4_request, SignedHeaders=host, Signature=ab';
    expect(() => parseAuthorization({ ...request(base), headers: { authorization: base, 'x-amz-date': '2026-11-24', host: 'h' } }, now)).toThrow(/X-Amz-Date/);
    expect(() => parseAuthorization(request(base.replace('/ssm/', '/s3/')), now)).toThrow(/scoped to correct service/);
  });

  it('reads each X-Amz-Date anew: a missing one after a good one is still refused as missing', () => {
    const base = 'AWS4-HMAC-SHA256 Credential=AKIAX/20261124/us-east-1/ssm/aws4_request, SignedHeaders=host, Signature=ab';
    expect(parseAuthorization(request(base), now).amzDate).toBe('20261124T115900Z');
    for (const date of ['', undefined]) {
      expect(() => parseAuthorization({ ...request(base), headers: { authorization: base, 'x-amz-date': date, host: 'h' } }, now)).toThrow(/X-Amz-Date header is missing/);
    }
    const later = { ...request(base), headers: { authorization: base, 'x-amz-date': '20261124T122000Z', host: 'h' } };
    expect(() => parseAuthorization(later, now)).toThrow(/Signature expired/);
  });
});

describe('HmacSha256Key', () => {
  it('gives what createHmac gives, for messages shorter and longer than its reused buffer and after them', () => {
    const messages = [
      '',
      'AWS4-HMAC-SHA256\n20261124T115900Z\n20261124/us-east-1/ssm/aws4_request\n' + 'ab'.repeat(32),
      'é ✓ '.repeat(50),
      'x'.repeat(1000),
      'short again',
    ];
    for (const key of [Buffer.alloc(0), randomBytes(32), randomBytes(64)]) {
      const hmac = new HmacSha256Key(key);
      for (const message of messages) {
        expect(hmac.signHex(message)).toBe(createHmac('sha256', key).update(message).digest('hex'));
      }
    }
  });

  it('refuses a key longer than one block', () => {
    expect(() => new HmacSha256Key(randomBytes(65))).toThrow(RangeError);
  });
});
