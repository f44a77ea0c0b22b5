import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, TEST_REGION, type TestServer } from '../../../testing/test-server.js';
import { nodeTagQuery } from '../../targets/managed-node-fixtures.js';
import { RESOURCE_GROUP_TAG_RESOURCE } from '../resource-groups.store.js';

const query = (document: unknown, Type = 'TAG_FILTERS_1_0') => ({ Type, Query: typeof document === 'string' ? document : JSON.stringify(document) });
const types = ['AWS::SSM::ManagedInstance'];

describeEachDatabase('Tend.CreateGroup', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  it('creates a group and answers Resource Groups’ shape, with the query exactly as given', async () => {
    const ResourceQuery = query('{ "ResourceTypeFilters": ["AWS::SSM::ManagedInstance"], "TagFilters": [{"Key": "env", "Values": ["prod"]}] }');
    const out = await t.api.tend('CreateGroup', { Name: 'web-prod', Description: 'Production web servers', ResourceQuery, Tags: { team: 'web', cost: '' } });
    expect(out).toEqual({
      Group: { GroupArn: `arn:aws:resource-groups:${TEST_REGION}:${TEST_ACCOUNT}:group/web-prod`, Name: 'web-prod', Description: 'Production web servers' },
      ResourceQuery,
      Tags: { team: 'web', cost: '' },
    });
    const tags = await t.server.services.db
      .selectFrom('resource_tags')
      .select(['tag_key', 'tag_value'])
      .where('resource_type', '=', RESOURCE_GROUP_TAG_RESOURCE)
      .where('resource_id', '=', 'web-prod')
      .orderBy('tag_key')
      .execute();
    expect(tags).toEqual([{ tag_key: 'cost', tag_value: '' }, { tag_key: 'team', tag_value: 'web' }]);
  });

  it('leaves Description and Tags out when there are none, and accepts AWS::AllSupported and empty Values', async () => {
    const out = await t.api.tend('CreateGroup', { Name: 'has-owner', ResourceQuery: nodeTagQuery([{ Key: 'owner', Values: [] }], ['AWS::AllSupported']) });
    expect(out.Group).toEqual({ GroupArn: expect.stringMatching(/:group\/has-owner$/), Name: 'has-owner' });
    expect(out).not.toHaveProperty('Tags');
  });

  it('refuses a name already taken with BadRequestException, keeping the first group', async () => {
    await t.api.tend('CreateGroup', { Name: 'taken', Description: 'first', ResourceQuery: nodeTagQuery([{ Key: 'a' }]) });
    await expect(t.api.tend('CreateGroup', { Name: 'taken', ResourceQuery: nodeTagQuery([{ Key: 'b' }]) })).rejects.toMatchObject({
      name: 'BadRequestException',
      status: 400,
      message: expect.stringContaining('already exists'),
    });
    expect((await t.api.tend('GetGroup', { Group: 'taken' })).Group.Description).toBe('first');
    // Names are case-sensitive, as in Resource Groups.
    await t.api.tend('CreateGroup', { Name: 'Taken', ResourceQuery: nodeTagQuery([{ Key: 'a' }]) });
  });

  it('accepts the longest name and the limits of a query: 50 tag filters, 20 values for a key', async () => {
    // Within the 4096 characters a Query may have, which 50 filters of 20 values each would not fit in.
    const TagFilters = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Values: i ? ['v'] : Array.from({ length: 20 }, (_, j) => `v${j}`) }));
    const name = 'n'.repeat(300);
    const out = await t.api.tend('CreateGroup', { Name: name, ResourceQuery: query({ ResourceTypeFilters: types, TagFilters }) });
    expect(out.Group.Name).toBe(name);
  });

  it.each([
    ['an unknown query type', query({ ResourceTypeFilters: types, TagFilters: [{ Key: 'a', Values: ['b'] }] }, 'TAG_FILTERS_2_0'), 'TAG_FILTERS_2_0 is not supported'],
    ['a CloudFormation stack query', query({ ResourceTypeFilters: types, StackIdentifier: 'arn:aws:cloudformation:x' }, 'CLOUDFORMATION_STACK_1_0'), 'CloudFormation'],
    ['malformed JSON', query('{"ResourceTypeFilters": ['), 'not valid JSON'],
    ['a JSON array', query('[]'), 'must be a JSON object'],
    ['51 tag filters', query({ ResourceTypeFilters: types, TagFilters: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Values: ['v'] })) }), 'at most 50'],
    ['21 values for one key', query({ ResourceTypeFilters: types, TagFilters: [{ Key: 'k', Values: Array.from({ length: 21 }, (_, i) => `v${i}`) }] }), 'at most 20'],
    ['an unsupported resource type', query({ ResourceTypeFilters: ['AWS::EC2::Instance'], TagFilters: [{ Key: 'k', Values: ['v'] }] }), 'AWS::EC2::Instance is not supported'],
    ['AWS::AllSupported with another type', query({ ResourceTypeFilters: ['AWS::AllSupported', ...types], TagFilters: [{ Key: 'k' }] }), 'cannot be combined'],
    ['no resource types', query({ ResourceTypeFilters: [], TagFilters: [{ Key: 'k' }] }), 'ResourceTypeFilters must be a non-empty list'],
    ['no tag filters', query({ ResourceTypeFilters: types, TagFilters: [] }), 'TagFilters must be a non-empty list'],
    ['a missing TagFilters member', query({ ResourceTypeFilters: types }), 'TagFilters must be a non-empty list'],
    ['an unknown query member', query({ ResourceTypeFilters: types, TagFilters: [{ Key: 'k' }], Tagfilters: [] }), 'unknown member Tagfilters'],
    ['a tag filter without Key', query({ ResourceTypeFilters: types, TagFilters: [{ Values: ['v'] }] }), 'TagFilters[0].Key'],
    ['a tag key over 128 characters', query({ ResourceTypeFilters: types, TagFilters: [{ Key: 'k'.repeat(129) }] }), 'TagFilters[0].Key'],
    ['a value that is not a string', query({ ResourceTypeFilters: types, TagFilters: [{ Key: 'k', Values: [1] }] }), 'TagFilters[0].Values'],
  ])('refuses %s with BadRequestException and creates nothing', async (_what, ResourceQuery, reason) => {
    await expect(t.api.tend('CreateGroup', { Name: 'refused', ResourceQuery })).rejects.toMatchObject({
      name: 'BadRequestException',
      message: expect.stringContaining(reason),
    });
    await expect(t.api.tend('GetGroup', { Group: 'refused' })).rejects.toMatchObject({ name: 'NotFoundException' });
  });

  it('refuses a group without ResourceQuery, or with a service Configuration, with BadRequestException', async () => {
    await expect(t.api.tend('CreateGroup', { Name: 'no-query' })).rejects.toMatchObject({ name: 'BadRequestException', message: expect.stringContaining('ResourceQuery') });
    await expect(
      t.api.tend('CreateGroup', { Name: 'configured', Configuration: [{ Type: 'AWS::EC2::HostManagement' }], ResourceQuery: nodeTagQuery([{ Key: 'a' }]) }),
    ).rejects.toMatchObject({ name: 'BadRequestException', message: expect.stringContaining('configurations') });
  });

  it.each([
    ['an empty name', { Name: '' }],
    ['a name over 300 characters', { Name: 'n'.repeat(301) }],
    ['a name with a space', { Name: 'a b' }],
    ['a name with a slash', { Name: 'a/b' }],
    ['the reserved AWS prefix', { Name: 'AWS-nodes' }],
    ['the reserved prefix in another case', { Name: 'aWs_nodes' }],
    ['a description with other punctuation', { Name: 'd1', Description: 'web; db' }],
    ['a description over 1024 characters', { Name: 'd2', Description: 'd'.repeat(1025) }],
    ['a query over 4096 characters', { Name: 'q1', ResourceQuery: { Type: 'TAG_FILTERS_1_0', Query: ' '.repeat(4097) } }],
    ['a tag key with the aws: prefix', { Name: 't1', Tags: { 'aws:owner': 'x' } }],
    ['a tag value over 256 characters', { Name: 't2', Tags: { k: 'v'.repeat(257) } }],
    ['51 tags', { Name: 't3', Tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, ''])) }],
  ])('refuses %s with ValidationException', async (_what, input) => {
    await expect(t.api.tend('CreateGroup', { ResourceQuery: nodeTagQuery([{ Key: 'a' }]), ...input })).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
