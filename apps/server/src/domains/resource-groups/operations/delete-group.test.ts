import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, TEST_REGION, type TestServer } from '../../../testing/test-server.js';
import { insertTestNodes, nodeTagQuery, testNodeId } from '../../targets/managed-node-fixtures.js';
import { RESOURCE_GROUP_TAG_RESOURCE } from '../resource-groups.store.js';

describeEachDatabase('Tend.DeleteGroup', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
    await insertTestNodes(t.server.services.db, [{ id: testNodeId(1), tags: { role: 'web' } }]);
    await t.api.tend('CreateGroup', { Name: 'web', Description: 'Web', ResourceQuery: nodeTagQuery([{ Key: 'role', Values: ['web'] }]), Tags: { team: 'a' } });
  });
  afterAll(async () => t?.close());

  const groupTags = () =>
    t.server.services.db.selectFrom('resource_tags').selectAll().where('resource_type', '=', RESOURCE_GROUP_TAG_RESOURCE).where('resource_id', '=', 'web').execute();

  it('deletes the group and its tags, answers what was deleted, and leaves the member nodes alone', async () => {
    expect(await groupTags()).toHaveLength(1);
    const arn = `arn:aws:resource-groups:${TEST_REGION}:${TEST_ACCOUNT}:group/web`;
    expect(await t.api.tend('DeleteGroup', { Group: arn })).toEqual({ Group: { GroupArn: arn, Name: 'web', Description: 'Web' } });
    await expect(t.api.tend('GetGroup', { Group: 'web' })).rejects.toMatchObject({ name: 'NotFoundException' });
    await expect(t.api.tend('ListGroupResources', { Group: 'web' })).rejects.toMatchObject({ name: 'NotFoundException' });
    expect(await groupTags()).toEqual([]);
    const tags = await t.server.services.db.selectFrom('resource_tags').select('tag_key').where('resource_id', '=', testNodeId(1)).execute();
    expect(tags).toEqual([{ tag_key: 'role' }]);
  });

  it('answers NotFoundException for a group that is gone, and lets the name be used again', async () => {
    await expect(t.api.tend('DeleteGroup', { GroupName: 'web' })).rejects.toMatchObject({ name: 'NotFoundException' });
    await t.api.tend('CreateGroup', { Name: 'web', ResourceQuery: nodeTagQuery([{ Key: 'role' }]) });
    expect((await t.api.tend('GetGroup', { Group: 'web' })).Group).toEqual({ GroupArn: expect.stringMatching(/group\/web$/), Name: 'web' });
  });
});
