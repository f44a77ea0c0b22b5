import { afterAll, beforeAll, expect, it } from 'vitest';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase, startTestServer, type TestServer } from '../testing/test-server.js';

describeEachDatabase('request pipeline', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  it('answers unsigned requests with MissingAuthenticationTokenException and a request id', async () => {
    const res = await fetch(t.url, { method: 'POST', headers: { 'x-amz-target': 'AmazonSSM.GetParameter' }, body: '{}' });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect((await res.json()).__type).toBe('MissingAuthenticationTokenException');
  });

  it('rejects an unknown access key and a wrong secret', async () => {
    const unknown = t.clientsFor({ accessKeyId: 'AKIANOTAREALKEY00000', secretAccessKey: 'x'.repeat(40) });
    await expect(unknown.ssm.send(new GetParameterCommand({ Name: 'x' }))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    const wrong = t.clientsFor({ accessKeyId: t.credentials.accessKeyId, secretAccessKey: 'wrong-secret-wrong-secret' });
    await expect(wrong.ssm.send(new GetParameterCommand({ Name: 'x' }))).rejects.toMatchObject({ name: 'InvalidSignatureException' });
  });

  it('rejects a signature made more than 15 minutes away from the server clock', async () => {
    for (const offsetMinutes of [16, -16]) {
      const skewed = await startTestServer(dialect, { clock: () => new Date(Date.now() + offsetMinutes * 60_000) });
      try {
        await expect(skewed.ssm.send(new GetParameterCommand({ Name: 'x' }))).rejects.toMatchObject({
          name: 'InvalidSignatureException',
          message: expect.stringContaining('Signature expired'),
        });
      } finally {
        await skewed.close();
      }
    }
    const slightlyOff = await startTestServer(dialect, { clock: () => new Date(Date.now() + 14 * 60_000) });
    try {
      await expect(slightlyOff.ssm.send(new GetParameterCommand({ Name: 'missing' }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
    } finally {
      await slightlyOff.close();
    }
  });

  it('answers an unknown target with UnknownOperationException', async () => {
    await expect(t.api.call('AmazonSSM.NoSuchThing', {})).rejects.toMatchObject({ name: 'UnknownOperationException' });
  });

  it('never answers a malformed body with a 500', async () => {
    // A body the signer signed but that is not JSON.
    const { SignatureV4 } = await import('@smithy/signature-v4');
    const { Sha256 } = await import('@aws-crypto/sha256-js');
    const url = new URL(t.url);
    const signer = new SignatureV4({ service: 'ssm', region: 'us-east-1', credentials: t.credentials, sha256: Sha256 });
    for (const body of ['{not json', '[1,2]', '"text"', 'null']) {
      const signed = await signer.sign({
        method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/',
        headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.GetParameter' },
        body,
      });
      const res = await fetch(t.url, { method: 'POST', headers: signed.headers as Record<string, string>, body });
      expect(res.status).toBe(400);
      expect((await res.json()).__type).toBe('SerializationException');
    }
    const health = await fetch(`${t.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it('refuses a body over 1 MiB in the API format, and keeps serving', async () => {
    const res = await fetch(t.url, { method: 'POST', headers: { 'x-amz-target': 'AmazonSSM.GetParameter' }, body: 'x'.repeat(1024 * 1024 + 1) });
    expect(res.status).toBe(413);
    expect(res.headers.get('x-amzn-errortype')).toBe('SerializationException');
    expect(res.headers.get('x-amzn-requestid')).toBeTruthy();
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });

  it('counts API requests by operation and outcome in /metrics', async () => {
    await t.ssm.send(new GetParameterCommand({ Name: '/tend/service/server/version' }));
    const text = await (await fetch(`${t.url}/metrics`)).text();
    expect(text).toMatch(/tend_api_requests_total\{operation="AmazonSSM.GetParameter",outcome="Success"\} [1-9]/);
    expect(text).toContain('tend_api_request_duration_seconds_bucket');
  });
});
