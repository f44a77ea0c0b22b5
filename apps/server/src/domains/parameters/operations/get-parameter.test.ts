import { beforeAll, expect, it } from 'vitest';
import { GetParameterCommand, GetParametersCommand, LabelParameterVersionCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase, TEST_ACCOUNT, TEST_REGION } from '../../../testing/test-server.js';
import { TEND_VERSION } from '../../../version.js';
import { put, useTestServer } from './test-support.js';

const arnOf = (name: string) => `arn:aws:ssm:${TEST_REGION}:${TEST_ACCOUNT}:parameter/${name.replace(/^\//, '')}`;

describeEachDatabase('GetParameter and GetParameters', (dialect) => {
  const server = useTestServer(dialect);

  beforeAll(async () => {
    const { ssm } = server();
    await put(ssm, '/svc/color', 'red');
    await put(ssm, '/svc/color', 'green', { Overwrite: true });
    await put(ssm, '/svc/color', 'blue', { Overwrite: true });
    await ssm.send(new LabelParameterVersionCommand({ Name: '/svc/color', ParameterVersion: 1, Labels: ['first'] }));
    await put(ssm, '/svc/hosts', 'a,b,c', { Type: 'StringList' });
    await put(ssm, '/svc/token', 'token-plaintext-91', { Type: 'SecureString' });
    await put(ssm, 'top-level', 'top');
  });

  it('returns the latest version with epoch-second timestamps', async () => {
    const started = Date.now() / 1000;
    const { ssm } = server();
    await put(ssm, '/svc/fresh', 'now');
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/svc/fresh' }));
    expect(Parameter?.LastModifiedDate).toBeInstanceOf(Date);
    // The SDK reads epoch seconds; a millisecond number would land tens of thousands of years away.
    expect(Parameter!.LastModifiedDate!.getTime() / 1000).toBeGreaterThan(started - 5);
    expect(Parameter!.LastModifiedDate!.getTime() / 1000).toBeLessThan(started + 60);
    const raw = await server().api.call<{ Parameter: { LastModifiedDate: number } }>('AmazonSSM.GetParameter', { Name: '/svc/fresh' });
    expect(raw.Parameter.LastModifiedDate).toBeLessThan(1e11);
  });

  it('selects a version by number or label and echoes the selector', async () => {
    const { ssm } = server();
    const latest = await ssm.send(new GetParameterCommand({ Name: '/svc/color' }));
    expect(latest.Parameter).toMatchObject({ Value: 'blue', Version: 3 });
    expect(latest.Parameter?.Selector).toBeUndefined();
    const byVersion = await ssm.send(new GetParameterCommand({ Name: '/svc/color:2' }));
    expect(byVersion.Parameter).toMatchObject({ Name: '/svc/color', Value: 'green', Version: 2, Selector: ':2' });
    const byLabel = await ssm.send(new GetParameterCommand({ Name: '/svc/color:first' }));
    expect(byLabel.Parameter).toMatchObject({ Value: 'red', Version: 1, Selector: ':first' });
  });

  it('answers ParameterNotFound and ParameterVersionNotFound', async () => {
    const { ssm } = server();
    await expect(ssm.send(new GetParameterCommand({ Name: '/svc/missing' }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
    await expect(ssm.send(new GetParameterCommand({ Name: '/svc/color:9' }))).rejects.toMatchObject({ name: 'ParameterVersionNotFound' });
    await expect(ssm.send(new GetParameterCommand({ Name: '/svc/color:nolabel' }))).rejects.toMatchObject({ name: 'ParameterVersionNotFound' });
    await expect(ssm.send(new GetParameterCommand({ Name: '/svc/missing:1' }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
    await expect(ssm.send(new GetParameterCommand({ Name: '/svc/color:1:2' }))).rejects.toMatchObject({ name: 'ValidationException' });
    // Larger than any stored version number (and than PostgreSQL's integer).
    await expect(ssm.send(new GetParameterCommand({ Name: '/svc/color:99999999999999' }))).rejects.toMatchObject({ name: 'ParameterVersionNotFound' });
  });

  it('accepts the parameter ARN as its name', async () => {
    const { ssm } = server();
    const hierarchical = await ssm.send(new GetParameterCommand({ Name: arnOf('/svc/color') + ':2' }));
    expect(hierarchical.Parameter).toMatchObject({ Name: '/svc/color', Value: 'green' });
    const top = await ssm.send(new GetParameterCommand({ Name: arnOf('top-level') }));
    expect(top.Parameter).toMatchObject({ Name: 'top-level', Value: 'top', ARN: arnOf('top-level') });
    const elsewhere = `arn:aws:ssm:eu-west-1:${TEST_ACCOUNT}:parameter/svc/color`;
    await expect(ssm.send(new GetParameterCommand({ Name: elsewhere }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
  });

  it('returns StringList values as written and SecureStrings sealed unless WithDecryption', async () => {
    const { ssm } = server();
    expect((await ssm.send(new GetParameterCommand({ Name: '/svc/hosts' }))).Parameter).toMatchObject({ Type: 'StringList', Value: 'a,b,c' });
    const sealed = await ssm.send(new GetParameterCommand({ Name: '/svc/token', WithDecryption: false }));
    expect(sealed.Parameter?.Type).toBe('SecureString');
    expect(sealed.Parameter?.Value).not.toContain('token-plaintext-91');
    const clear = await ssm.send(new GetParameterCommand({ Name: '/svc/token', WithDecryption: true }));
    expect(clear.Parameter?.Value).toBe('token-plaintext-91');
    // WithDecryption makes no difference to a String.
    expect((await ssm.send(new GetParameterCommand({ Name: '/svc/color', WithDecryption: true }))).Parameter?.Value).toBe('blue');
  });

  it('GetParameters returns found parameters in name order and lists the rest as invalid', async () => {
    const { ssm } = server();
    const res = await ssm.send(
      new GetParametersCommand({ Names: ['/svc/token', '/svc/color:first', '/svc/nope', '/svc/color:7', 'top-level', '/svc/hosts'], WithDecryption: true }),
    );
    expect(res.Parameters?.map((p) => [p.Name, p.Value, p.Selector])).toEqual([
      ['/svc/color', 'red', ':first'],
      ['/svc/hosts', 'a,b,c', undefined],
      ['/svc/token', 'token-plaintext-91', undefined],
      ['top-level', 'top', undefined],
    ]);
    expect(res.InvalidParameters).toEqual(['/svc/nope', '/svc/color:7']);
    const sealed = await ssm.send(new GetParametersCommand({ Names: ['/svc/token'] }));
    expect(sealed.Parameters?.[0]?.Value).not.toContain('token-plaintext-91');
  });

  it('GetParameters takes 1 to 10 names', async () => {
    const { ssm } = server();
    await expect(ssm.send(new GetParametersCommand({ Names: [] }))).rejects.toMatchObject({ name: 'ValidationException' });
    const eleven = Array.from({ length: 11 }, (_, i) => `/n/${i}`);
    await expect(ssm.send(new GetParametersCommand({ Names: eleven }))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('serves the read-only public parameters under /tend/service', async () => {
    const { ssm } = server();
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/tend/service/server/version' }));
    expect(Parameter).toMatchObject({
      Name: '/tend/service/server/version',
      Type: 'String',
      Value: TEND_VERSION,
      Version: 1,
      DataType: 'text',
      ARN: arnOf('/tend/service/server/version'),
    });
    const many = await ssm.send(new GetParametersCommand({ Names: ['/tend/service/agent/latest-version', '/tend/service/none'] }));
    expect(many.Parameters?.map((p) => p.Value)).toEqual([TEND_VERSION]);
    expect(many.InvalidParameters).toEqual(['/tend/service/none']);
    await expect(ssm.send(new GetParameterCommand({ Name: '/tend/service/server/version:2' }))).rejects.toMatchObject({
      name: 'ParameterVersionNotFound',
    });
  });
});
