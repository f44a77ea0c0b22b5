import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, TEST_REGION, type TestServer } from '../../testing/test-server.js';
import { createUserWithKey, policyDocument } from '../iam/iam-test-fixtures.js';
import { nodeTagQuery } from '../targets/managed-node-fixtures.js';

const DENIED = { name: 'AccessDeniedException' };
const arn = (name: string) => `arn:aws:resource-groups:${TEST_REGION}:${TEST_ACCOUNT}:group/${name}`;

describeEachDatabase('resource groups authorization', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
    for (const Name of ['app-web', 'other']) await t.api.tend('CreateGroup', { Name, ResourceQuery: nodeTagQuery([{ Key: 'role' }]) });
  });
  afterAll(async () => t?.close());

  it('refuses every operation to a user without resource-groups permissions', async () => {
    const u = await createUserWithKey(t, 'ssm-only', policyDocument({ Effect: 'Allow', Action: 'ssm:*', Resource: '*' }));
    const calls: [string, object][] = [
      ['CreateGroup', { Name: 'mine', ResourceQuery: nodeTagQuery([{ Key: 'k' }]) }],
      ['GetGroup', { Group: 'app-web' }],
      ['GetGroupQuery', { Group: 'app-web' }],
      ['ListGroups', {}],
      ['ListGroupResources', { Group: 'app-web' }],
      ['UpdateGroup', { Group: 'app-web', Description: 'x' }],
      ['UpdateGroupQuery', { Group: 'app-web', ResourceQuery: nodeTagQuery([{ Key: 'k' }]) }],
      ['DeleteGroup', { Group: 'app-web' }],
    ];
    for (const [operation, input] of calls) {
      await expect(u.api.tend(operation, input), operation).rejects.toMatchObject({
        ...DENIED,
        message: expect.stringContaining(`resource-groups:${operation}`),
      });
    }
    // Nothing was changed by the refused calls, and a missing group is not revealed either.
    expect((await t.api.tend('ListGroups')).GroupIdentifiers.map((g: { GroupName: string }) => g.GroupName)).toEqual(['app-web', 'other']);
    await expect(u.api.tend('GetGroup', { Group: 'does-not-exist' })).rejects.toMatchObject(DENIED);
  });

  it('scopes permissions to group ARNs, whether the group is named or given by ARN', async () => {
    const u = await createUserWithKey(
      t,
      'app-reader',
      policyDocument({ Effect: 'Allow', Action: ['resource-groups:Get*', 'resource-groups:ListGroupResources'], Resource: 'arn:aws:resource-groups:*:*:group/app-*' }),
    );
    await expect(u.api.tend('GetGroup', { Group: 'app-web' })).resolves.toMatchObject({ Group: { Name: 'app-web' } });
    await expect(u.api.tend('GetGroupQuery', { Group: arn('app-web') })).resolves.toBeDefined();
    await expect(u.api.tend('ListGroupResources', { Group: 'app-web' })).resolves.toMatchObject({ Resources: [] });
    await expect(u.api.tend('GetGroup', { Group: 'other' })).rejects.toMatchObject(DENIED);
    await expect(u.api.tend('GetGroup', { Group: arn('other') })).rejects.toMatchObject(DENIED);
    await expect(u.api.tend('UpdateGroup', { Group: 'app-web', Description: 'x' })).rejects.toMatchObject(DENIED);
    await expect(u.api.tend('CreateGroup', { Name: 'app-new', ResourceQuery: nodeTagQuery([{ Key: 'k' }]) })).rejects.toMatchObject(DENIED);
    await expect(u.api.tend('ListGroups')).rejects.toMatchObject(DENIED);
  });

  it('authorizes CreateGroup on the new group’s ARN', async () => {
    const u = await createUserWithKey(t, 'app-creator', policyDocument({ Effect: 'Allow', Action: 'resource-groups:CreateGroup', Resource: arn('app-*') }));
    await expect(u.api.tend('CreateGroup', { Name: 'app-db', ResourceQuery: nodeTagQuery([{ Key: 'k' }]) })).resolves.toBeDefined();
    await expect(u.api.tend('CreateGroup', { Name: 'db', ResourceQuery: nodeTagQuery([{ Key: 'k' }]) })).rejects.toMatchObject(DENIED);
  });
});
