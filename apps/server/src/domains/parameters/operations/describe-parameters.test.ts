import { beforeAll, describe, expect, it } from 'vitest';
import {
  DescribeParametersCommand,
  type DescribeParametersCommandInput,
  type ParameterStringFilter,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { describeEachDatabase, TEST_ACCOUNT, TEST_REGION } from '../../../testing/test-server.js';
import { put, useTestServer } from './test-support.js';

async function describeAll(ssm: SSMClient, input: DescribeParametersCommandInput = {}) {
  const found = [];
  let NextToken: string | undefined;
  do {
    const page = await ssm.send(new DescribeParametersCommand({ ...input, NextToken }));
    found.push(...(page.Parameters ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return found;
}

const namesFor = async (ssm: SSMClient, ParameterFilters: ParameterStringFilter[]) =>
  (await describeAll(ssm, { ParameterFilters })).map((p) => p.Name);

describeEachDatabase('DescribeParameters', (dialect) => {
  const server = useTestServer(dialect);

  beforeAll(async () => {
    const { ssm } = server();
    await put(ssm, '/shop/api/url', 'https://api', { Description: 'API base', Tags: [{ Key: 'team', Value: 'payments' }] });
    await put(ssm, '/shop/api/key', 'shop-api-key-plain', { Type: 'SecureString', Tags: [{ Key: 'team', Value: 'platform' }] });
    await put(ssm, '/shop/db/url', 'postgres://db', { Tier: 'Advanced', AllowedPattern: '^postgres://.*' });
    await put(ssm, '/shop/hosts', 'a,b', { Type: 'StringList', Tags: [{ Key: 'env', Value: 'prod' }] });
    await put(ssm, '/shop/image', 'ami-0123abcd', { DataType: 'aws:ec2:image' });
    await put(ssm, 'standalone', 'x');
    for (let i = 0; i < 23; i++) await put(ssm, `/bulk/item-${String(i).padStart(2, '0')}`, `${i}`);
  });

  it('returns metadata, never values, with the AWS shape', async () => {
    const { ssm } = server();
    const [url] = await describeAll(ssm, { ParameterFilters: [{ Key: 'Name', Values: ['/shop/db/url'] }] });
    expect(url).toEqual({
      Name: '/shop/db/url',
      ARN: `arn:aws:ssm:${TEST_REGION}:${TEST_ACCOUNT}:parameter/shop/db/url`,
      Type: 'String',
      LastModifiedDate: expect.any(Date),
      LastModifiedUser: `arn:aws:iam::${TEST_ACCOUNT}:root`,
      AllowedPattern: '^postgres://.*',
      Version: 1,
      Tier: 'Advanced',
      Policies: [],
      DataType: 'text',
    });
    const raw = await server().api.call<{ Parameters: object[] }>('AmazonSSM.DescribeParameters', { MaxResults: 50 });
    expect(JSON.stringify(raw)).not.toContain('shop-api-key-plain');
    expect(JSON.stringify(raw)).not.toContain('"Value"');
  });

  it('pages through everything in name order', async () => {
    const { ssm } = server();
    const first = await ssm.send(new DescribeParametersCommand({ MaxResults: 5 }));
    expect(first.Parameters).toHaveLength(5);
    expect(first.NextToken).toEqual(expect.any(String));
    const all = await describeAll(ssm, { MaxResults: 4 });
    expect(all.map((p) => p.Name)).toEqual([
      ...Array.from({ length: 23 }, (_, i) => `/bulk/item-${String(i).padStart(2, '0')}`),
      '/shop/api/key',
      '/shop/api/url',
      '/shop/db/url',
      '/shop/hosts',
      '/shop/image',
      'standalone',
    ]);
    await expect(ssm.send(new DescribeParametersCommand({ MaxResults: 51 }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(ssm.send(new DescribeParametersCommand({ NextToken: 'not-a-token' }))).rejects.toMatchObject({ name: 'InvalidNextToken' });
  });

  describe('ParameterFilters', () => {
    it('matches Name with Equals, BeginsWith and Contains, ignoring a leading slash', async () => {
      const { ssm } = server();
      expect(await namesFor(ssm, [{ Key: 'Name', Values: ['/shop/hosts'] }])).toEqual(['/shop/hosts']);
      expect(await namesFor(ssm, [{ Key: 'Name', Values: ['/standalone'] }])).toEqual(['standalone']);
      expect(await namesFor(ssm, [{ Key: 'Name', Option: 'BeginsWith', Values: ['/shop/api'] }])).toEqual(['/shop/api/key', '/shop/api/url']);
      expect(await namesFor(ssm, [{ Key: 'Name', Option: 'Contains', Values: ['url'] }])).toEqual(['/shop/api/url', '/shop/db/url']);
    });

    it('matches Path one level deep by default, or recursively', async () => {
      const { ssm } = server();
      expect(await namesFor(ssm, [{ Key: 'Path', Values: ['/shop'] }])).toEqual(['/shop/hosts', '/shop/image']);
      expect(await namesFor(ssm, [{ Key: 'Path', Option: 'Recursive', Values: ['/shop'] }])).toEqual([
        '/shop/api/key',
        '/shop/api/url',
        '/shop/db/url',
        '/shop/hosts',
        '/shop/image',
      ]);
      expect(await namesFor(ssm, [{ Key: 'Path', Option: 'OneLevel', Values: ['/shop/api', '/shop/db'] }])).toEqual([
        '/shop/api/key',
        '/shop/api/url',
        '/shop/db/url',
      ]);
      expect(await namesFor(ssm, [{ Key: 'Path', Values: ['/'] }])).toEqual(['standalone']);
    });

    it('matches Type, KeyId, Tier and DataType', async () => {
      const { ssm } = server();
      expect(await namesFor(ssm, [{ Key: 'Type', Values: ['SecureString', 'StringList'] }])).toEqual(['/shop/api/key', '/shop/hosts']);
      expect(await namesFor(ssm, [{ Key: 'KeyId', Values: ['alias/aws/ssm'] }])).toEqual(['/shop/api/key']);
      expect(await namesFor(ssm, [{ Key: 'Tier', Values: ['Advanced'] }])).toEqual(['/shop/db/url']);
      expect(await namesFor(ssm, [{ Key: 'DataType', Values: ['aws:ec2:image'] }])).toEqual(['/shop/image']);
    });

    it('matches tags by value, or by key alone without values', async () => {
      const { ssm } = server();
      expect(await namesFor(ssm, [{ Key: 'tag:team', Values: ['payments'] }])).toEqual(['/shop/api/url']);
      expect(await namesFor(ssm, [{ Key: 'tag:team' }])).toEqual(['/shop/api/key', '/shop/api/url']);
      expect(await namesFor(ssm, [{ Key: 'tag:team', Option: 'BeginsWith', Values: ['plat'] }])).toEqual(['/shop/api/key']);
      expect(await namesFor(ssm, [{ Key: 'tag:nobody', Values: ['x'] }])).toEqual([]);
    });

    it('requires every filter to match', async () => {
      const { ssm } = server();
      const both = await namesFor(ssm, [
        { Key: 'Path', Option: 'Recursive', Values: ['/shop'] },
        { Key: 'Type', Values: ['String'] },
        { Key: 'Name', Option: 'Contains', Values: ['url'] },
      ]);
      expect(both).toEqual(['/shop/api/url', '/shop/db/url']);
    });

    it.each([
      ['an unknown key', { Key: 'Colour', Values: ['x'] }, 'InvalidFilterKey'],
      ['Label (GetParametersByPath only)', { Key: 'Label', Values: ['x'] }, 'InvalidFilterKey'],
      ['an empty tag key', { Key: 'tag:', Values: ['x'] }, 'InvalidFilterKey'],
      ['Contains on Type', { Key: 'Type', Option: 'Contains', Values: ['String'] }, 'InvalidFilterOption'],
      ['Equals on Path', { Key: 'Path', Option: 'Equals', Values: ['/shop'] }, 'InvalidFilterOption'],
      ['an unknown Type', { Key: 'Type', Values: ['Integer'] }, 'InvalidFilterValue'],
      ['an unknown Tier', { Key: 'Tier', Values: ['Premium'] }, 'InvalidFilterValue'],
      ['a Path without a leading slash', { Key: 'Path', Values: ['shop'] }, 'InvalidFilterValue'],
      ['a Name without values', { Key: 'Name' }, 'InvalidFilterValue'],
    ])('refuses %s', async (_why, filter, error) => {
      await expect(server().ssm.send(new DescribeParametersCommand({ ParameterFilters: [filter] }))).rejects.toMatchObject({ name: error });
    });
  });

  describe('deprecated Filters', () => {
    it('matches Name by prefix and Type and KeyId exactly', async () => {
      const { ssm } = server();
      const byName = await describeAll(ssm, { Filters: [{ Key: 'Name', Values: ['/shop/api'] }] });
      expect(byName.map((p) => p.Name)).toEqual(['/shop/api/key', '/shop/api/url']);
      const byType = await describeAll(ssm, { Filters: [{ Key: 'Type', Values: ['StringList'] }] });
      expect(byType.map((p) => p.Name)).toEqual(['/shop/hosts']);
    });

    it('cannot be combined with ParameterFilters and knows only Name, Type and KeyId', async () => {
      const { ssm } = server();
      await expect(
        ssm.send(new DescribeParametersCommand({ Filters: [{ Key: 'Name', Values: ['/shop'] }], ParameterFilters: [{ Key: 'Type', Values: ['String'] }] })),
      ).rejects.toMatchObject({ name: 'ValidationException' });
      await expect(
        server().api.call('AmazonSSM.DescribeParameters', { Filters: [{ Key: 'Tier', Values: ['Standard'] }] }),
      ).rejects.toMatchObject({ name: 'InvalidFilterKey' });
    });
  });

  it('never lists the public /tend/service parameters', async () => {
    const all = await describeAll(server().ssm, { MaxResults: 50 });
    expect(all.some((p) => p.Name?.startsWith('/tend/'))).toBe(false);
  });
});
