import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, type TestServer } from '../../../testing/test-server.js';

describeEachDatabase('Tend.CreateUser', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  it('creates a user with a path and tags and answers IAM’s User shape', async () => {
    const before = Date.now() / 1000;
    const { User } = await t.api.tend('CreateUser', { UserName: 'alice', Path: '/ops/team-a/', Tags: [{ Key: 'team', Value: 'a' }] });
    expect(User).toMatchObject({
      UserName: 'alice',
      Path: '/ops/team-a/',
      Arn: `arn:aws:iam::${TEST_ACCOUNT}:user/ops/team-a/alice`,
      Tags: [{ Key: 'team', Value: 'a' }],
    });
    expect(User.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(typeof User.CreateDate).toBe('number');
    expect(User.CreateDate).toBeGreaterThanOrEqual(Math.floor(before));
    expect(User.CreateDate).toBeLessThan(before + 60);
  });

  it('defaults the path to / and leaves out Tags when there are none', async () => {
    const { User } = await t.api.tend('CreateUser', { UserName: 'bob' });
    expect(User.Path).toBe('/');
    expect(User.Arn).toBe(`arn:aws:iam::${TEST_ACCOUNT}:user/bob`);
    expect(User).not.toHaveProperty('Tags');
  });

  it('refuses a name already taken, whatever its case', async () => {
    await t.api.tend('CreateUser', { UserName: 'Carol' });
    await expect(t.api.tend('CreateUser', { UserName: 'Carol' })).rejects.toMatchObject({ name: 'EntityAlreadyExistsException', status: 409 });
    await expect(t.api.tend('CreateUser', { UserName: 'carol' })).rejects.toMatchObject({ name: 'EntityAlreadyExistsException' });
  });

  it.each([
    ['an empty name', { UserName: '' }],
    ['a name over 64 characters', { UserName: 'u'.repeat(65) }],
    ['a name with a slash', { UserName: 'a/b' }],
    ['a name with a space', { UserName: 'a b' }],
    ['a path without slashes', { UserName: 'p1', Path: 'ops' }],
    ['a path without its trailing slash', { UserName: 'p2', Path: '/ops' }],
    ['a path over 512 characters', { UserName: 'p3', Path: `/${'x'.repeat(511)}/` }],
    ['a tag key with the aws: prefix', { UserName: 't1', Tags: [{ Key: 'AWS:owner', Value: 'x' }] }],
    ['a tag key over 128 characters', { UserName: 't2', Tags: [{ Key: 'k'.repeat(129), Value: 'x' }] }],
    ['a tag value over 256 characters', { UserName: 't3', Tags: [{ Key: 'k', Value: 'v'.repeat(257) }] }],
    ['the same tag key twice', { UserName: 't4', Tags: [{ Key: 'k', Value: '1' }, { Key: 'k', Value: '2' }] }],
    ['51 tags', { UserName: 't5', Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: '' })) }],
  ])('refuses %s with ValidationException', async (_what, input) => {
    await expect(t.api.tend('CreateUser', input)).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('accepts the full character set IAM allows in names', async () => {
    const { User } = await t.api.tend('CreateUser', { UserName: 'a_b+c=d,e.f@g-h', Tags: Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: '' })) });
    expect(User.UserName).toBe('a_b+c=d,e.f@g-h');
    expect(User.Tags).toHaveLength(50);
  });
});
