import { afterAll, beforeAll, expect, it } from 'vitest';
import { AddTagsToResourceCommand, ListTagsForResourceCommand, RemoveTagsFromResourceCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, TEST_REGION, type TestServer } from '../../testing/test-server.js';
import { createTestActivation, nodeEvents, registerTestNode } from './node-test-support.js';

describeEachDatabase('tagging managed nodes', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  it('adds, lists and removes tags of a node, each change a node.tags event', async () => {
    const activation = await createTestActivation(t, { Tags: [{ Key: 'env', Value: 'prod' }] });
    const { instanceId } = await registerTestNode(t, activation);
    const target = { ResourceType: 'ManagedInstance' as const, ResourceId: instanceId };
    await t.ssm.send(new AddTagsToResourceCommand({ ...target, Tags: [{ Key: 'role', Value: 'web' }] }));
    await t.ssm.send(new RemoveTagsFromResourceCommand({ ...target, TagKeys: ['env'] }));
    expect((await t.ssm.send(new ListTagsForResourceCommand(target))).TagList).toEqual([{ Key: 'role', Value: 'web' }]);

    const events = (await nodeEvents(t, instanceId)).filter((e) => e.type === 'node.tags');
    expect(events.map((e) => e.payload)).toEqual([
      {
        resourceType: 'ManagedInstance',
        resourceId: instanceId,
        resourceArn: `arn:aws:ssm:${TEST_REGION}:${TEST_ACCOUNT}:managed-instance/${instanceId}`,
        set: [{ Key: 'role', Value: 'web' }],
        removed: [],
        tags: [{ Key: 'env', Value: 'prod' }, { Key: 'role', Value: 'web' }],
      },
      expect.objectContaining({ set: [], removed: ['env'], tags: [{ Key: 'role', Value: 'web' }] }),
    ]);
  });

  it('answers InvalidResourceId for an unknown node', async () => {
    await expect(t.ssm.send(new ListTagsForResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: 'mi-00000000000000000' }))).rejects.toMatchObject({
      name: 'InvalidResourceId',
    });
  });
});
