import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, TEST_REGION, type TestServer } from '../../../testing/test-server.js';
import { deregisterTestNode, insertTestNodes, nodeTagQuery, tagTestNode, testNodeId, untagTestNode } from '../../targets/managed-node-fixtures.js';

const node = testNodeId;

describeEachDatabase('Tend.ListGroupResources', (dialect) => {
  let t: TestServer;
  const db = () => t.server.services.db;
  beforeAll(async () => {
    t = await startTestServer(dialect);
    await insertTestNodes(db(), [
      { id: node(1), tags: { env: 'prod', role: 'web' } },
      { id: node(2), tags: { env: 'prod', role: 'db' } },
      { id: node(3), tags: { env: 'staging', role: 'web' } },
      { id: node(4), tags: { env: 'dev' } },
      { id: node(5), status: 'ConnectionLost', tags: { env: 'prod', role: 'web', owner: '' } },
      { id: node(6), status: 'Inactive', tags: { env: 'prod', role: 'web' } },
      { id: node(7), tags: { Env: 'prod', role: 'WEB' } },
    ]);
  });
  afterAll(async () => t?.close());

  async function members(Group: string, extra: object = {}): Promise<string[]> {
    const ids: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await t.api.tend('ListGroupResources', { Group, ...extra, ...(NextToken ? { NextToken } : {}) });
      expect(page.ResourceIdentifiers).toEqual(page.Resources.map((r: { Identifier: unknown }) => r.Identifier));
      ids.push(...page.ResourceIdentifiers.map((r: { ResourceArn: string }) => r.ResourceArn.split('/')[1]));
      NextToken = page.NextToken;
    } while (NextToken);
    return ids;
  }

  it('answers the members with their ARN and type, leaving deregistered nodes out', async () => {
    await t.api.tend('CreateGroup', { Name: 'prod', ResourceQuery: nodeTagQuery([{ Key: 'env', Values: ['prod'] }]) });
    const page = await t.api.tend('ListGroupResources', { Group: 'prod' });
    const identifier = (id: string) => ({ ResourceArn: `arn:aws:ssm:${TEST_REGION}:${TEST_ACCOUNT}:managed-instance/${id}`, ResourceType: 'AWS::SSM::ManagedInstance' });
    expect(page).toEqual({
      Resources: [node(1), node(2), node(5)].map((id) => ({ Identifier: identifier(id) })),
      ResourceIdentifiers: [node(1), node(2), node(5)].map(identifier),
    });
  });

  it('ANDs tag filters across keys, ORs values within a key, reads an empty list as "has the key", and matches case-sensitively', async () => {
    await t.api.tend('CreateGroup', { Name: 'prod-web', ResourceQuery: nodeTagQuery([{ Key: 'env', Values: ['prod'] }, { Key: 'role', Values: ['web'] }]) });
    await t.api.tend('CreateGroup', { Name: 'web-any-env', ResourceQuery: nodeTagQuery([{ Key: 'env', Values: ['prod', 'staging'] }, { Key: 'role', Values: ['web'] }]) });
    await t.api.tend('CreateGroup', { Name: 'has-role', ResourceQuery: nodeTagQuery([{ Key: 'role', Values: [] }], ['AWS::AllSupported']) });
    await t.api.tend('CreateGroup', { Name: 'has-owner', ResourceQuery: nodeTagQuery([{ Key: 'owner' }]) });
    expect(await members('prod-web')).toEqual([node(1), node(5)]);
    expect(await members('web-any-env')).toEqual([node(1), node(3), node(5)]);
    expect(await members('has-role')).toEqual([node(1), node(2), node(3), node(5), node(7)]);
    expect(await members('has-owner')).toEqual([node(5)]);
  });

  it('evaluates the query at each call: tagging, untagging and deregistering change the members at once', async () => {
    await t.api.tend('CreateGroup', { Name: 'canary', ResourceQuery: nodeTagQuery([{ Key: 'canary', Values: ['yes'] }]) });
    expect(await members('canary')).toEqual([]);
    await tagTestNode(db(), node(4), { canary: 'yes' });
    await tagTestNode(db(), node(2), { canary: 'yes' });
    expect(await members('canary')).toEqual([node(2), node(4)]);
    await tagTestNode(db(), node(2), { canary: 'no' });
    expect(await members('canary')).toEqual([node(4)]);
    await untagTestNode(db(), node(4), ['canary']);
    expect(await members('canary')).toEqual([]);
    await tagTestNode(db(), node(3), { canary: 'yes' });
    await deregisterTestNode(db(), node(3));
    expect(await members('canary')).toEqual([]);
  });

  it('pages through members with MaxResults and NextToken', async () => {
    const many = Array.from({ length: 23 }, (_, i) => node(100 + i));
    await insertTestNodes(db(), many.map((id) => ({ id, tags: { batch: 'b1' } })));
    await t.api.tend('CreateGroup', { Name: 'batch', ResourceQuery: nodeTagQuery([{ Key: 'batch', Values: ['b1'] }]) });
    const sizes: number[] = [];
    const ids: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await t.api.tend('ListGroupResources', { Group: 'batch', MaxResults: 10, ...(NextToken ? { NextToken } : {}) });
      sizes.push(page.Resources.length);
      ids.push(...page.Resources.map((r: { Identifier: { ResourceArn: string } }) => r.Identifier.ResourceArn.split('/')[1]));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(sizes).toEqual([10, 10, 3]);
    expect(ids).toEqual(many);
    expect((await t.api.tend('ListGroupResources', { Group: 'batch' })).Resources).toHaveLength(23);
  });

  it('applies resource-type filters as Resource Groups does', async () => {
    const managed = { Filters: [{ Name: 'resource-type', Values: ['AWS::SSM::ManagedInstance'] }] };
    const ec2 = { Filters: [{ Name: 'resource-type', Values: ['AWS::EC2::Instance'] }] };
    expect(await members('prod', managed)).toEqual([node(1), node(2), node(5)]);
    // A type outside the group's own ResourceTypeFilters is an error, except for AWS::AllSupported groups.
    await expect(t.api.tend('ListGroupResources', { Group: 'prod', ...ec2 })).rejects.toMatchObject({
      name: 'BadRequestException',
      message: expect.stringContaining('AWS::EC2::Instance'),
    });
    expect(await members('has-role', ec2)).toEqual([]);
    expect(await members('has-role', managed)).toEqual([node(1), node(2), node(5), node(7)]);
  });

  it('answers NotFoundException for an unknown group, BadRequestException for a foreign NextToken', async () => {
    await expect(t.api.tend('ListGroupResources', { Group: 'nope' })).rejects.toMatchObject({ name: 'NotFoundException' });
    await expect(t.api.tend('ListGroupResources', { Group: 'prod', NextToken: 'x' })).rejects.toMatchObject({ name: 'BadRequestException' });
    await expect(t.api.tend('ListGroupResources', { Group: 'prod', MaxResults: 51 })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(t.api.tend('ListGroupResources', { Group: 'prod', Filters: [{ Name: 'resource-type', Values: ['EC2'] }] })).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });
});
