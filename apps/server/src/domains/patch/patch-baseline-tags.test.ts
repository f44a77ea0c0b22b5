import { expect, it } from 'vitest';
import { AddTagsToResourceCommand, ListTagsForResourceCommand, RemoveTagsFromResourceCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase } from '../../testing/test-server.js';
import { PREDEFINED_BASELINE_IDS } from './patch-baseline-rules.js';
import { createBaseline, predefinedArn, useTestServer } from './operations/baseline-test-support.js';

describeEachDatabase('PatchBaseline tags', (dialect) => {
  const server = useTestServer(dialect);

  it('adds, lists and removes tags on an own baseline, by id or ARN', async () => {
    const { ssm } = server();
    const id = await createBaseline(ssm, 'tagged', { Tags: [{ Key: 'Team', Value: 'ops' }] });
    await ssm.send(new AddTagsToResourceCommand({ ResourceType: 'PatchBaseline', ResourceId: id, Tags: [{ Key: 'Env', Value: 'prod' }] }));
    const arn = `arn:aws:ssm:us-east-1:123456789012:patchbaseline/${id}`;
    expect((await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'PatchBaseline', ResourceId: arn }))).TagList).toEqual([
      { Key: 'Env', Value: 'prod' },
      { Key: 'Team', Value: 'ops' },
    ]);
    await ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: 'PatchBaseline', ResourceId: id, TagKeys: ['Team'] }));
    expect((await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'PatchBaseline', ResourceId: id }))).TagList).toEqual([{ Key: 'Env', Value: 'prod' }]);
  });

  it('refuses tags on a predefined or unknown baseline with InvalidResourceId', async () => {
    const { ssm } = server();
    for (const ResourceId of [predefinedArn(PREDEFINED_BASELINE_IDS.DEBIAN), 'pb-0123456789abcdef0']) {
      await expect(ssm.send(new AddTagsToResourceCommand({ ResourceType: 'PatchBaseline', ResourceId, Tags: [{ Key: 'a', Value: 'b' }] }))).rejects.toMatchObject({
        name: 'InvalidResourceId',
      });
    }
  });
});
