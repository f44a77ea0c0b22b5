import { afterAll, beforeAll, expect, it } from 'vitest';
import { AddTagsToResourceCommand, ListTagsForResourceCommand, RemoveTagsFromResourceCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase, startTestServer, type TestServer } from '../../../testing/test-server.js';
import { putTestParameter } from '../../iam/iam-test-fixtures.js';
import { TAGS_CHANGE_EVENT, type TagsChangeEvent } from '../tags.store.js';

describeEachDatabase('AmazonSSM.RemoveTagsFromResource', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
    await putTestParameter(t, '/rm/p', 'v');
  });
  afterAll(async () => t?.close());

  const lastEvent = async () => {
    const row = await t.server.services.db.selectFrom('outbox_events').selectAll().where('event_type', '=', TAGS_CHANGE_EVENT).orderBy('id', 'desc').executeTakeFirst();
    return row && { id: row.id, payload: JSON.parse(row.payload) as TagsChangeEvent };
  };

  it('removes the named keys, ignores keys the parameter does not carry, and records the change', async () => {
    await t.ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/rm/p', Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }, { Key: 'c', Value: '3' }] }));
    await t.ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: 'Parameter', ResourceId: '/rm/p', TagKeys: ['a', 'c', 'zzz'] }));
    const { TagList } = await t.ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/rm/p' }));
    expect(TagList).toEqual([{ Key: 'b', Value: '2' }]);
    const event = await lastEvent();
    expect(event?.payload).toMatchObject({ set: [], removed: ['a', 'c'], tags: [{ Key: 'b', Value: '2' }] });

    // Removing only absent keys is a no-op: no event.
    await t.ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: 'Parameter', ResourceId: '/rm/p', TagKeys: ['zzz'] }));
    expect((await lastEvent())?.id).toBe(event?.id);
  });

  it('answers InvalidResourceId, InvalidResourceType and ValidationException as Systems Manager does', async () => {
    await expect(t.ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: 'Parameter', ResourceId: '/rm/none', TagKeys: ['a'] }))).rejects.toMatchObject({
      name: 'InvalidResourceId',
    });
    await expect(t.ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: 'OpsMetadata', ResourceId: 'arn:aws:ssm:us-east-1:123456789012:opsmetadata/x', TagKeys: ['a'] }))).rejects.toMatchObject({
      name: 'InvalidResourceType',
    });
    await expect(t.ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: 'Parameter', ResourceId: '/rm/p', TagKeys: [] }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });
});
