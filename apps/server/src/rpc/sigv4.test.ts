import { describe, expect, it } from 'vitest';
import { parseAuthorization } from './sigv4.js';

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
});
