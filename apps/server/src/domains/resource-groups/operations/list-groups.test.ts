import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, TEST_REGION, type TestServer } from '../../../testing/test-server.js';
import { nodeTagQuery } from '../../targets/managed-node-fixtures.js';

describeEachDatabase('Tend.ListGroups', (dialect) => {
  let t: TestServer;
  // Every third group selects AWS::AllSupported, so a filter applied after paging would show short pages.
  const names = ['g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7'];
  const allSupported = new Set(['g3', 'g6']);
  beforeAll(async () => {
    t = await startTestServer(dialect);
    for (const Name of [...names].reverse()) {
      const types = allSupported.has(Name) ? ['AWS::AllSupported'] : ['AWS::SSM::ManagedInstance'];
      await t.api.tend('CreateGroup', { Name, ...(Name === 'g1' ? { Description: 'first' } : {}), ResourceQuery: nodeTagQuery([{ Key: 'k' }], types) });
    }
  });
  afterAll(async () => t?.close());

  async function collect(input: object): Promise<{ names: string[]; pages: number[] }> {
    const out: string[] = [];
    const pages: number[] = [];
    let NextToken: string | undefined;
    do {
      const page = await t.api.tend('ListGroups', { ...input, ...(NextToken ? { NextToken } : {}) });
      expect(page.Groups.map((g: { Name: string }) => g.Name)).toEqual(page.GroupIdentifiers.map((g: { GroupName: string }) => g.GroupName));
      out.push(...page.GroupIdentifiers.map((g: { GroupName: string }) => g.GroupName));
      pages.push(page.GroupIdentifiers.length);
      NextToken = page.NextToken;
    } while (NextToken);
    return { names: out, pages };
  }

  it('lists every group in name order with both identifier shapes', async () => {
    const page = await t.api.tend('ListGroups');
    expect(page).not.toHaveProperty('NextToken');
    expect(page.GroupIdentifiers.map((g: { GroupName: string }) => g.GroupName)).toEqual(names);
    expect(page.GroupIdentifiers[0]).toEqual({ GroupName: 'g1', GroupArn: `arn:aws:resource-groups:${TEST_REGION}:${TEST_ACCOUNT}:group/g1`, Description: 'first' });
    expect(page.Groups[0]).toEqual({ GroupArn: `arn:aws:resource-groups:${TEST_REGION}:${TEST_ACCOUNT}:group/g1`, Name: 'g1', Description: 'first' });
    expect(page.Groups[1]).toEqual({ GroupArn: expect.stringMatching(/group\/g2$/), Name: 'g2' });
  });

  it('pages with MaxResults and NextToken, the last page without a token', async () => {
    expect(await collect({ MaxResults: 3 })).toEqual({ names, pages: [3, 3, 1] });
    expect(await collect({ MaxResults: 7 })).toEqual({ names, pages: [7] });
  });

  it('filters by resource-type with full pages', async () => {
    const filter = (...Values: string[]) => ({ Filters: [{ Name: 'resource-type', Values }], MaxResults: 2 });
    expect(await collect(filter('AWS::AllSupported'))).toEqual({ names: ['g3', 'g6'], pages: [2] });
    expect(await collect(filter('AWS::SSM::ManagedInstance'))).toEqual({ names: ['g1', 'g2', 'g4', 'g5', 'g7'], pages: [2, 2, 1] });
    expect((await collect(filter('AWS::EC2::Instance', 'AWS::AllSupported'))).names).toEqual(['g3', 'g6']);
    expect((await collect(filter('AWS::EC2::Instance'))).names).toEqual([]);
  });

  it('matches nothing with filters for service configurations and application groups', async () => {
    expect((await collect({ Filters: [{ Name: 'configuration-type', Values: ['AWS::EC2::HostManagement'] }] })).names).toEqual([]);
    expect((await collect({ Filters: [{ Name: 'owner', Values: ['me'] }] })).names).toEqual([]);
  });

  it('refuses a NextToken it did not issue with BadRequestException and bad members with ValidationException', async () => {
    await expect(t.api.tend('ListGroups', { NextToken: 'garbage' })).rejects.toMatchObject({ name: 'BadRequestException' });
    await expect(t.api.tend('ListGroups', { MaxResults: 0 })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(t.api.tend('ListGroups', { MaxResults: 51 })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(t.api.tend('ListGroups', { Filters: [{ Name: 'tag', Values: ['x'] }] })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(t.api.tend('ListGroups', { Filters: [{ Name: 'resource-type', Values: [] }] })).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
