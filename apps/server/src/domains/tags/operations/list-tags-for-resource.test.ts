import { afterAll, beforeAll, expect, it } from 'vitest';
import { AddTagsToResourceCommand, ListTagsForResourceCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase, startTestServer, type TestServer } from '../../../testing/test-server.js';
import { createUserWithKey, policyDocument, putTestParameter } from '../../iam/iam-test-fixtures.js';

describeEachDatabase('AmazonSSM.ListTagsForResource', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
    await putTestParameter(t, '/svc/a', 'v');
    await putTestParameter(t, '/svc/b', 'v');
  });
  afterAll(async () => t?.close());

  it('lists a parameter’s tags in key order, and an empty list for an untagged one', async () => {
    await t.ssm.send(
      new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/svc/a', Tags: [{ Key: 'b', Value: '2' }, { Key: 'B', Value: '3' }, { Key: 'a', Value: '1' }] }),
    );
    const { TagList } = await t.ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/svc/a' }));
    expect(TagList).toEqual([{ Key: 'B', Value: '3' }, { Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }]);
    expect((await t.ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/svc/b' }))).TagList).toEqual([]);
  });

  it('answers InvalidResourceId for an unknown parameter and InvalidResourceType for other types', async () => {
    await expect(t.ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/svc/none' }))).rejects.toMatchObject({ name: 'InvalidResourceId' });
    await expect(t.ssm.send(new ListTagsForResourceCommand({ ResourceType: 'OpsMetadata', ResourceId: 'arn:aws:ssm:us-east-1:123456789012:opsmetadata/app' }))).rejects.toMatchObject({
      name: 'InvalidResourceType',
    });
  });

  it('needs ssm:ListTagsForResource on the parameter', async () => {
    const u = await createUserWithKey(t, 'lister', policyDocument({ Effect: 'Allow', Action: 'ssm:ListTagsForResource', Resource: 'arn:aws:ssm:*:*:parameter/svc/a' }));
    await expect(u.ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/svc/a' }))).resolves.toMatchObject({ TagList: expect.any(Array) });
    await expect(u.ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/svc/b' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});
