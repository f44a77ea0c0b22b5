import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../../../testing/test-server.js';
import { insertTestNodes, nodeTagQuery, testNodeId } from '../../targets/managed-node-fixtures.js';

describeEachDatabase('Tend.UpdateGroupQuery', (dialect) => {
  let t: TestServer;
  const members = async (Group: string) =>
    (await t.api.tend('ListGroupResources', { Group })).Resources.map((r: { Identifier: { ResourceArn: string } }) => r.Identifier.ResourceArn.split('/')[1]);
  beforeAll(async () => {
    t = await startTestServer(dialect);
    await insertTestNodes(t.server.services.db, [
      { id: testNodeId(1), tags: { role: 'web' } },
      { id: testNodeId(2), tags: { role: 'db' } },
    ]);
    await t.api.tend('CreateGroup', { Name: 'servers', Description: 'kept', ResourceQuery: nodeTagQuery([{ Key: 'role', Values: ['web'] }]) });
  });
  afterAll(async () => t?.close());

  it('replaces the query, answers the GroupQuery, and the members follow at once', async () => {
    expect(await members('servers')).toEqual([testNodeId(1)]);
    const ResourceQuery = nodeTagQuery([{ Key: 'role', Values: ['db'] }]);
    expect(await t.api.tend('UpdateGroupQuery', { Group: 'servers', ResourceQuery })).toEqual({ GroupQuery: { GroupName: 'servers', ResourceQuery } });
    expect(await members('servers')).toEqual([testNodeId(2)]);
    expect((await t.api.tend('GetGroupQuery', { Group: 'servers' })).GroupQuery.ResourceQuery).toEqual(ResourceQuery);
    expect((await t.api.tend('GetGroup', { Group: 'servers' })).Group.Description).toBe('kept');
  });

  it('refuses an invalid query with BadRequestException and keeps the old one', async () => {
    const before = (await t.api.tend('GetGroupQuery', { Group: 'servers' })).GroupQuery;
    await expect(t.api.tend('UpdateGroupQuery', { Group: 'servers', ResourceQuery: { Type: 'TAG_FILTERS_1_0', Query: '{' } })).rejects.toMatchObject({
      name: 'BadRequestException',
    });
    await expect(t.api.tend('UpdateGroupQuery', { Group: 'servers', ResourceQuery: nodeTagQuery([{ Key: 'k' }], ['AWS::S3::Bucket']) })).rejects.toMatchObject({
      name: 'BadRequestException',
      message: expect.stringContaining('AWS::S3::Bucket'),
    });
    expect((await t.api.tend('GetGroupQuery', { Group: 'servers' })).GroupQuery).toEqual(before);
  });

  it('answers NotFoundException for an unknown group and ValidationException without ResourceQuery', async () => {
    await expect(t.api.tend('UpdateGroupQuery', { Group: 'nope', ResourceQuery: nodeTagQuery([{ Key: 'k' }]) })).rejects.toMatchObject({ name: 'NotFoundException' });
    await expect(t.api.tend('UpdateGroupQuery', { Group: 'servers' })).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
