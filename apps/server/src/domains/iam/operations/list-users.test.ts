import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../../../testing/test-server.js';

describeEachDatabase('Tend.ListUsers', (dialect) => {
  let t: TestServer;
  const names = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7'];
  beforeAll(async () => {
    t = await startTestServer(dialect);
    // Users under /team/ interleave with others, so a prefix filter applied after paging would show short pages.
    for (const [i, name] of names.entries()) await t.api.tend('CreateUser', { UserName: name, Path: i % 2 ? '/team/' : '/', Tags: [{ Key: 'k', Value: 'v' }] });
  });
  afterAll(async () => t?.close());

  async function collect(input: object): Promise<{ names: string[]; pages: number[] }> {
    const out: string[] = [];
    const pages: number[] = [];
    let marker: string | undefined;
    do {
      const page = await t.api.tend('ListUsers', { ...input, ...(marker ? { Marker: marker } : {}) });
      out.push(...page.Users.map((u: { UserName: string }) => u.UserName));
      pages.push(page.Users.length);
      expect(page.IsTruncated).toBe(Boolean(page.Marker));
      marker = page.Marker;
    } while (marker);
    return { names: out, pages };
  }

  it('lists every user in name order without tags', async () => {
    const page = await t.api.tend('ListUsers');
    expect(page.IsTruncated).toBe(false);
    expect(page).not.toHaveProperty('Marker');
    expect(page.Users.map((u: { UserName: string }) => u.UserName)).toEqual(names);
    expect(page.Users[0]).not.toHaveProperty('Tags');
    expect(page.Users[1]).toMatchObject({ Path: '/team/', Arn: expect.stringMatching(/:user\/team\/u2$/) });
  });

  it('pages with MaxItems and Marker', async () => {
    const { names: all, pages } = await collect({ MaxItems: 3 });
    expect(all).toEqual(names);
    expect(pages).toEqual([3, 3, 1]);
  });

  it('filters by PathPrefix with full pages', async () => {
    const { names: team, pages } = await collect({ PathPrefix: '/team/', MaxItems: 2 });
    expect(team).toEqual(['u2', 'u4', 'u6']);
    expect(pages).toEqual([2, 1]);
    expect((await collect({ PathPrefix: '/te' })).names).toEqual(['u2', 'u4', 'u6']);
    expect((await collect({ PathPrefix: '/Team/' })).names).toEqual([]);
    expect((await collect({ PathPrefix: '/' })).names).toEqual(names);
  });

  it('refuses a Marker it did not issue and out-of-range MaxItems', async () => {
    await expect(t.api.tend('ListUsers', { Marker: 'garbage' })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(t.api.tend('ListUsers', { MaxItems: 0 })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(t.api.tend('ListUsers', { MaxItems: 1001 })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(t.api.tend('ListUsers', { PathPrefix: 'team' })).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
