import { expect, it } from 'vitest';
import {
  GetParameterCommand,
  GetParameterHistoryCommand,
  LabelParameterVersionCommand,
  UnlabelParameterVersionCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { describeEachDatabase, TEST_ACCOUNT } from '../../../testing/test-server.js';
import { parameterEvents, put, useTestServer } from './test-support.js';

/** A parameter with `versions` versions whose values are "v1", "v2", … */
async function withVersions(ssm: SSMClient, name: string, versions: number, extra = {}) {
  for (let v = 1; v <= versions; v++) await put(ssm, name, `v${v}`, { Overwrite: v > 1, ...extra });
}

const label = (ssm: SSMClient, Name: string, Labels: string[], ParameterVersion?: number) =>
  ssm.send(new LabelParameterVersionCommand({ Name, Labels, ParameterVersion }));

async function labelsByVersion(ssm: SSMClient, Name: string) {
  const { Parameters } = await ssm.send(new GetParameterHistoryCommand({ Name }));
  return Object.fromEntries((Parameters ?? []).map((p) => [p.Version, p.Labels]));
}

describeEachDatabase('LabelParameterVersion, UnlabelParameterVersion and GetParameterHistory', (dialect) => {
  const server = useTestServer(dialect);

  it('labels the latest version by default and a given version on request', async () => {
    const { ssm } = server();
    await withVersions(ssm, '/labels/basic', 3);
    expect(await label(ssm, '/labels/basic', ['current'])).toEqual(expect.objectContaining({ ParameterVersion: 3, InvalidLabels: [] }));
    expect(await label(ssm, '/labels/basic', ['old', 'older'], 1)).toEqual(expect.objectContaining({ ParameterVersion: 1, InvalidLabels: [] }));
    expect(await labelsByVersion(ssm, '/labels/basic')).toEqual({ 1: ['old', 'older'], 2: [], 3: ['current'] });
  });

  it('moves a label that is already on another version', async () => {
    const { ssm } = server();
    await withVersions(ssm, '/labels/move', 3);
    await label(ssm, '/labels/move', ['prod'], 1);
    await label(ssm, '/labels/move', ['prod'], 3);
    expect(await labelsByVersion(ssm, '/labels/move')).toEqual({ 1: [], 2: [], 3: ['prod'] });
    expect((await ssm.send(new GetParameterCommand({ Name: '/labels/move:prod' }))).Parameter?.Value).toBe('v3');
  });

  it('returns labels that break the rules in InvalidLabels and applies the others', async () => {
    const { ssm } = server();
    await withVersions(ssm, '/labels/rules', 1);
    const bad = ['1starts-with-digit', 'awsLabel', 'SSM-label', 'has space', 'x'.repeat(101), 'semi;colon'];
    const res = await label(ssm, '/labels/rules', ['good_label-1.0', ...bad, 'x'.repeat(100)]);
    expect(res.InvalidLabels).toEqual(bad);
    expect(res.ParameterVersion).toBe(1);
    expect(await labelsByVersion(ssm, '/labels/rules')).toEqual({ 1: ['good_label-1.0', 'x'.repeat(100)] });
  });

  it('allows ten labels on a version and refuses an eleventh, changing nothing', async () => {
    const { ssm } = server();
    await withVersions(ssm, '/labels/limit', 2);
    const ten = Array.from({ length: 10 }, (_, i) => `l${i}`);
    await label(ssm, '/labels/limit', ten, 1);
    await label(ssm, '/labels/limit', ['elsewhere'], 2);
    await expect(label(ssm, '/labels/limit', ['elsewhere'], 1)).rejects.toMatchObject({ name: 'ParameterVersionLabelLimitExceeded' });
    // The refused call did not move the label.
    expect(await labelsByVersion(ssm, '/labels/limit')).toEqual({ 1: ten, 2: ['elsewhere'] });
    // Re-applying a label already on the version is not an eleventh.
    expect(await label(ssm, '/labels/limit', ['l0'], 1)).toMatchObject({ ParameterVersion: 1 });
  });

  it('answers ParameterNotFound, ParameterVersionNotFound and refuses more than ten labels per call', async () => {
    const { ssm } = server();
    await withVersions(ssm, '/labels/errors', 1);
    await expect(label(ssm, '/labels/none', ['a'])).rejects.toMatchObject({ name: 'ParameterNotFound' });
    await expect(label(ssm, '/labels/errors', ['a'], 5)).rejects.toMatchObject({ name: 'ParameterVersionNotFound' });
    const eleven = Array.from({ length: 11 }, (_, i) => `l${i}`);
    await expect(label(ssm, '/labels/errors', eleven)).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(label(ssm, '/tend/service/server/version', ['a'])).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('unlabels a version, reporting labels that were not on it', async () => {
    const t = server();
    await withVersions(t.ssm, '/labels/unlabel', 2);
    await label(t.ssm, '/labels/unlabel', ['keep', 'drop'], 1);
    await label(t.ssm, '/labels/unlabel', ['other'], 2);
    const res = await t.ssm.send(
      new UnlabelParameterVersionCommand({ Name: '/labels/unlabel', ParameterVersion: 1, Labels: ['drop', 'other', 'never'] }),
    );
    expect(res.RemovedLabels).toEqual(['drop']);
    expect(res.InvalidLabels).toEqual(['other', 'never']);
    expect(await labelsByVersion(t.ssm, '/labels/unlabel')).toEqual({ 1: ['keep'], 2: ['other'] });
    await expect(
      t.ssm.send(new UnlabelParameterVersionCommand({ Name: '/labels/unlabel', ParameterVersion: 9, Labels: ['keep'] })),
    ).rejects.toMatchObject({ name: 'ParameterVersionNotFound' });
    await expect(
      t.ssm.send(new UnlabelParameterVersionCommand({ Name: '/labels/gone', ParameterVersion: 1, Labels: ['keep'] })),
    ).rejects.toMatchObject({ name: 'ParameterNotFound' });

    const events = (await parameterEvents(t)).filter((e) => e.name === '/labels/unlabel' && e.operation !== 'Create' && e.operation !== 'Update');
    expect(events).toEqual([
      { name: '/labels/unlabel', version: 1, type: 'String', operation: 'LabelParameterVersion', labels: ['keep', 'drop'] },
      { name: '/labels/unlabel', version: 2, type: 'String', operation: 'LabelParameterVersion', labels: ['other'] },
      { name: '/labels/unlabel', version: 1, type: 'String', operation: 'UnlabelParameterVersion', labels: ['drop'] },
    ]);
  });

  it('GetParameterHistory returns every version oldest first with its metadata', async () => {
    const { ssm } = server();
    await put(ssm, '/history/full', 'one', { Description: 'first' });
    await put(ssm, '/history/full', 'two', { Overwrite: true, Description: 'second', Tier: 'Advanced' });
    await label(ssm, '/history/full', ['latest']);
    const { Parameters, NextToken } = await ssm.send(new GetParameterHistoryCommand({ Name: '/history/full' }));
    expect(NextToken).toBeUndefined();
    expect(Parameters).toEqual([
      expect.objectContaining({ Name: '/history/full', Version: 1, Value: 'one', Description: 'first', Tier: 'Standard', Labels: [], Type: 'String', DataType: 'text' }),
      expect.objectContaining({ Version: 2, Value: 'two', Description: 'second', Tier: 'Advanced', Labels: ['latest'], Policies: [] }),
    ]);
    expect(Parameters?.[0]?.LastModifiedUser).toBe(`arn:aws:iam::${TEST_ACCOUNT}:root`);
    expect(Parameters?.[0]?.LastModifiedDate).toBeInstanceOf(Date);
  });

  it('GetParameterHistory pages, decrypts only on request and knows missing parameters', async () => {
    const { ssm } = server();
    await withVersions(ssm, '/history/secret', 7, { Type: 'SecureString' });
    const seen: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await ssm.send(new GetParameterHistoryCommand({ Name: '/history/secret', MaxResults: 3, WithDecryption: true, NextToken }));
      expect(page.Parameters!.length).toBeLessThanOrEqual(3);
      seen.push(...page.Parameters!.map((p) => p.Value!));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(seen).toEqual(['v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7']);
    const sealed = await ssm.send(new GetParameterHistoryCommand({ Name: '/history/secret' }));
    expect(sealed.Parameters?.every((p) => p.Type === 'SecureString' && !/^v\d$/.test(p.Value!) && p.KeyId === 'alias/aws/ssm')).toBe(true);
    await expect(ssm.send(new GetParameterHistoryCommand({ Name: '/history/none' }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
    await expect(ssm.send(new GetParameterHistoryCommand({ Name: '/history/secret', NextToken: 'bad' }))).rejects.toMatchObject({
      name: 'InvalidNextToken',
    });
    await expect(ssm.send(new GetParameterHistoryCommand({ Name: '/history/secret', MaxResults: 51 }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });
});
