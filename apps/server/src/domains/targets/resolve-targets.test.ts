import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, TEST_REGION, type TestServer } from '../../testing/test-server.js';
import { checkTargets, resolveTargets, type TargetingInput } from './resolve-targets.js';
import { deregisterTestNode, insertTestNodes, nodeTagQuery, tagTestNode, testNodeId, untagTestNode } from './managed-node-fixtures.js';

const scope = { region: TEST_REGION, accountId: TEST_ACCOUNT };
const node = testNodeId;
const tag = (key: string, ...Values: string[]) => ({ Key: `tag:${key}`, Values });

describeEachDatabase('resolveTargets', (dialect) => {
  let t: TestServer;
  const db = () => t.server.services.db;
  const ids = async (input: TargetingInput) => (await resolveTargets(db(), input, { scope })).instanceIds;
  beforeAll(async () => {
    t = await startTestServer(dialect);
    // Inserted out of order, so sorting is the resolver's doing.
    await insertTestNodes(db(), [
      { id: node(9), tags: { env: 'prod', role: 'db', 'team name': 'data ops' } },
      { id: node(1), tags: { env: 'prod', role: 'web' } },
      { id: node(2), tags: { env: 'staging', role: 'web' } },
      { id: node(3), status: 'ConnectionLost', tags: { env: 'prod', role: 'web', owner: '' } },
      { id: node(4), status: 'Inactive', tags: { env: 'prod', role: 'web' } },
      { id: node(5), tags: { Env: 'prod' } },
      { id: node(6) },
    ]);
    await t.api.tend('CreateGroup', { Name: 'prod', ResourceQuery: nodeTagQuery([{ Key: 'env', Values: ['prod'] }]) });
    await t.api.tend('CreateGroup', { Name: 'everything-web', ResourceQuery: nodeTagQuery([{ Key: 'role', Values: ['web'] }], ['AWS::AllSupported']) });
  });
  afterAll(async () => t?.close());

  it('ORs the values of one tag key and leaves deregistered nodes out, keeping unreachable ones', async () => {
    expect(await ids({ Targets: [tag('env', 'prod')] })).toEqual([node(1), node(3), node(9)]);
    expect(await ids({ Targets: [tag('env', 'prod', 'staging')] })).toEqual([node(1), node(2), node(3), node(9)]);
    expect(await ids({ Targets: [tag('env', 'PROD')] })).toEqual([]);
    expect(await ids({ Targets: [tag('owner', '')] })).toEqual([node(3)]);
    expect(await ids({ Targets: [tag('team name', 'data ops')] })).toEqual([node(9)]);
  });

  it('ANDs different keys', async () => {
    expect(await ids({ Targets: [tag('env', 'prod'), tag('role', 'web')] })).toEqual([node(1), node(3)]);
    expect(await ids({ Targets: [tag('env', 'prod', 'staging'), tag('role', 'web', 'db')] })).toEqual([node(1), node(2), node(3), node(9)]);
    expect(await ids({ Targets: [tag('env', 'prod'), tag('role', 'web'), tag('owner', '')] })).toEqual([node(3)]);
    // The same key twice must hold twice.
    expect(await ids({ Targets: [tag('env', 'prod'), tag('env', 'staging')] })).toEqual([]);
  });

  it('targets nodes carrying any of the tag-key values', async () => {
    expect(await ids({ Targets: [{ Key: 'tag-key', Values: ['owner', 'Env'] }] })).toEqual([node(3), node(5)]);
    expect(await ids({ Targets: [{ Key: 'tag-key', Values: ['role'] }, tag('env', 'prod')] })).toEqual([node(1), node(3), node(9)]);
  });

  it('resolves InstanceIds, sorted and once each, reporting ids that are not active nodes', async () => {
    const unknown = 'mi-0123456789abcdef0';
    expect(await resolveTargets(db(), { InstanceIds: [node(9), node(1), node(9), node(4), unknown] }, { scope })).toEqual({
      instanceIds: [node(1), node(9)],
      unknownInstanceIds: [node(4), unknown],
      missingGroups: [],
    });
    expect(await ids({ Targets: [{ Key: 'InstanceIds', Values: [node(6), node(2)] }] })).toEqual([node(2), node(6)]);
    // The AWS CLI's examples spell the key in lower case.
    expect(await ids({ Targets: [{ Key: 'instanceids', Values: [node(6)] }] })).toEqual([node(6)]);
  });

  it('resolves a resource group by its query, now, ANDed with other keys', async () => {
    expect(await ids({ Targets: [{ Key: 'resource-groups:Name', Values: ['prod'] }] })).toEqual([node(1), node(3), node(9)]);
    expect(await ids({ Targets: [{ Key: 'resource-groups:Name', Values: ['prod'] }, tag('role', 'db')] })).toEqual([node(9)]);
    expect(await ids({ Targets: [{ Key: 'resource-groups:Name', Values: ['everything-web'] }] })).toEqual([node(1), node(2), node(3)]);
    await tagTestNode(db(), node(6), { env: 'prod' });
    expect(await ids({ Targets: [{ Key: 'resource-groups:Name', Values: ['prod'] }] })).toEqual([node(1), node(3), node(6), node(9)]);
    await untagTestNode(db(), node(6), ['env']);
    await deregisterTestNode(db(), node(3));
    expect(await ids({ Targets: [{ Key: 'resource-groups:Name', Values: ['prod'] }] })).toEqual([node(1), node(9)]);
    await t.api.tend('UpdateGroupQuery', { Group: 'prod', ResourceQuery: nodeTagQuery([{ Key: 'env', Values: ['staging'] }]) });
    expect(await ids({ Targets: [{ Key: 'resource-groups:Name', Values: ['prod'] }] })).toEqual([node(2)]);
  });

  it('reports a group that does not exist and designates no node with it', async () => {
    expect(await resolveTargets(db(), { Targets: [{ Key: 'resource-groups:Name', Values: ['nope'] }] }, { scope })).toEqual({
      instanceIds: [],
      unknownInstanceIds: [],
      missingGroups: ['nope'],
    });
  });

  it('keeps only managed nodes for resource-groups:ResourceTypeFilters', async () => {
    const types = (...Values: string[]) => ({ Key: 'resource-groups:ResourceTypeFilters', Values });
    expect(await ids({ Targets: [types('AWS::SSM::ManagedInstance', 'AWS::EC2::Instance'), tag('role', 'web')] })).toEqual([node(1), node(2)]);
    expect(await ids({ Targets: [types('AWS::SSM::MANAGEDINSTANCE')] })).toEqual([node(1), node(2), node(5), node(6), node(9)]);
    expect(await ids({ Targets: [types('AWS::EC2::Instance'), { Key: 'resource-groups:Name', Values: ['everything-web'] }] })).toEqual([]);
  });

  it('requires resource-groups:ListGroupResources on the group when a caller is given', async () => {
    const groupArn = `arn:aws:resource-groups:${TEST_REGION}:${TEST_ACCOUNT}:group/everything-web`;
    const seen: string[] = [];
    const caller = (allowed: boolean) => ({
      arn: 'arn:aws:iam::123456789012:user/u',
      isAllowed: (action: string, resource: string) => (seen.push(`${action} ${resource}`), allowed),
    });
    const input = { Targets: [{ Key: 'resource-groups:Name', Values: ['everything-web'] }] };
    await expect(resolveTargets(db(), input, { scope, caller: caller(false) })).rejects.toMatchObject({ type: 'AccessDeniedException' });
    expect((await resolveTargets(db(), input, { scope, caller: caller(true) })).instanceIds).toEqual([node(1), node(2)]);
    expect(seen).toEqual([`resource-groups:ListGroupResources ${groupArn}`, `resource-groups:ListGroupResources ${groupArn}`]);
  });

  it.each<[string, TargetingInput, string]>([
    ['nothing', {}, 'give InstanceIds or Targets'],
    ['empty lists', { InstanceIds: [], Targets: [] }, 'give InstanceIds or Targets'],
    ['both InstanceIds and Targets', { InstanceIds: [node(1)], Targets: [tag('env', 'prod')] }, 'cannot both be given'],
    ['6 targets', { Targets: ['a', 'b', 'c', 'd', 'e', 'f'].map((k) => tag(k, 'v')) }, 'less than or equal to 5'],
    ['6 values for a tag', { Targets: [tag('env', '1', '2', '3', '4', '5', '6')] }, '6 unique values'],
    ['6 tag keys', { Targets: [{ Key: 'tag-key', Values: ['1', '2', '3', '4', '5', '6'] }] }, '6 unique values'],
    ['6 resource types', { Targets: [{ Key: 'resource-groups:ResourceTypeFilters', Values: ['AWS::A::B', 'AWS::A::C', 'AWS::A::D', 'AWS::A::E', 'AWS::A::F', 'AWS::A::G'] }] }, '6 unique values'],
    ['two group names in one target', { Targets: [{ Key: 'resource-groups:Name', Values: ['a', 'b'] }] }, 'exactly one group name'],
    ['two group targets', { Targets: [{ Key: 'resource-groups:Name', Values: ['a'] }, { Key: 'resource-groups:Name', Values: ['b'] }] }, 'at most one resource group'],
    ['InstanceIds with another key', { Targets: [{ Key: 'InstanceIds', Values: [node(1)] }, tag('env', 'prod')] }, 'cannot be combined'],
    ['51 ids in a target', { Targets: [{ Key: 'InstanceIds', Values: Array.from({ length: 51 }, (_, i) => node(i)) }] }, 'less than or equal to 50'],
    ['51 InstanceIds', { InstanceIds: Array.from({ length: 51 }, (_, i) => node(i)) }, 'less than or equal to 50'],
    ['a malformed id', { InstanceIds: ['server-1'] }, 'regular expression'],
    ['a malformed id in a target', { Targets: [{ Key: 'InstanceIds', Values: ['server-1'] }] }, 'not a managed node id'],
    ['an unknown key', { Targets: [{ Key: 'Name', Values: ['x'] }] }, 'Target key Name is not supported'],
    ['a tag key that is empty', { Targets: [tag('', 'x')] }, '1 to 128 characters'],
    ['a tag key over 128 characters', { Targets: [tag('k'.repeat(129), 'x')] }, '1 to 128 characters'],
    ['a key with a character Systems Manager refuses', { Targets: [tag('a+b', 'x')] }, 'regular expression'],
    ['a target without values', { Targets: [tag('env')] }, 'has no values'],
  ])('refuses %s with ValidationException', async (_what, input, reason) => {
    await expect(resolveTargets(db(), input, { scope })).rejects.toMatchObject({ type: 'ValidationException', message: expect.stringContaining(reason) });
  });

  it('counts unique values: repeating a value does not use up the limit', () => {
    expect(checkTargets({ Targets: [tag('env', 'a', 'b', 'c', 'd', 'e', 'a', 'b')] })).toEqual([{ kind: 'tag', key: 'env', values: ['a', 'b', 'c', 'd', 'e'] }]);
  });
});
