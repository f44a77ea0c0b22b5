import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../../../testing/test-server.js';
import { nodeTagQuery } from '../../targets/managed-node-fixtures.js';

describeEachDatabase('Tend.UpdateGroup', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
    await t.api.tend('CreateGroup', { Name: 'web', Description: 'old', ResourceQuery: nodeTagQuery([{ Key: 'role', Values: ['web'] }]) });
  });
  afterAll(async () => t?.close());

  it('replaces the description and answers the Group', async () => {
    const out = await t.api.tend('UpdateGroup', { Group: 'web', Description: 'Web servers' });
    expect(out).toEqual({ Group: { GroupArn: expect.stringMatching(/:group\/web$/), Name: 'web', Description: 'Web servers' } });
    expect((await t.api.tend('GetGroup', { Group: 'web' })).Group.Description).toBe('Web servers');
  });

  it('changes nothing without Description and removes the description when it is empty', async () => {
    expect((await t.api.tend('UpdateGroup', { GroupName: 'web' })).Group.Description).toBe('Web servers');
    expect((await t.api.tend('UpdateGroup', { Group: 'web', Description: '' })).Group).not.toHaveProperty('Description');
    expect((await t.api.tend('GetGroup', { Group: 'web' })).Group).not.toHaveProperty('Description');
  });

  it('leaves the query alone', async () => {
    expect((await t.api.tend('GetGroupQuery', { Group: 'web' })).GroupQuery.ResourceQuery).toEqual(nodeTagQuery([{ Key: 'role', Values: ['web'] }]));
  });

  it('answers NotFoundException for an unknown group and ValidationException for a bad description', async () => {
    await expect(t.api.tend('UpdateGroup', { Group: 'nope', Description: 'x' })).rejects.toMatchObject({ name: 'NotFoundException' });
    await expect(t.api.tend('UpdateGroup', { Group: 'web', Description: 'a;b' })).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
