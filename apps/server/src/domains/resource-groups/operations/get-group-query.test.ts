import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../../../testing/test-server.js';

describeEachDatabase('Tend.GetGroupQuery', (dialect) => {
  let t: TestServer;
  // Spacing and member order are the caller's: the query comes back byte for byte.
  const ResourceQuery = { Type: 'TAG_FILTERS_1_0', Query: '{"TagFilters":[{"Key":"env","Values":["prod","staging"]}],  "ResourceTypeFilters":["AWS::AllSupported"]}' };
  beforeAll(async () => {
    t = await startTestServer(dialect);
    await t.api.tend('CreateGroup', { Name: 'env', ResourceQuery });
  });
  afterAll(async () => t?.close());

  it('answers the GroupQuery structure with the query as it was given', async () => {
    expect(await t.api.tend('GetGroupQuery', { Group: 'env' })).toEqual({ GroupQuery: { GroupName: 'env', ResourceQuery } });
    expect(await t.api.tend('GetGroupQuery', { GroupName: 'env' })).toEqual({ GroupQuery: { GroupName: 'env', ResourceQuery } });
  });

  it('answers NotFoundException for an unknown group', async () => {
    await expect(t.api.tend('GetGroupQuery', { Group: 'nope' })).rejects.toMatchObject({ name: 'NotFoundException' });
  });
});
