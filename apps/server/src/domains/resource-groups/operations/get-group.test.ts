import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, TEST_REGION, type TestServer } from '../../../testing/test-server.js';
import { nodeTagQuery } from '../../targets/managed-node-fixtures.js';

describeEachDatabase('Tend.GetGroup', (dialect) => {
  let t: TestServer;
  const arn = (name: string, account = TEST_ACCOUNT) => `arn:aws:resource-groups:${TEST_REGION}:${account}:group/${name}`;
  beforeAll(async () => {
    t = await startTestServer(dialect);
    await t.api.tend('CreateGroup', { Name: 'db.servers', Description: 'Databases', ResourceQuery: nodeTagQuery([{ Key: 'role', Values: ['db'] }]) });
    await t.api.tend('CreateGroup', { Name: 'plain', ResourceQuery: nodeTagQuery([{ Key: 'role' }]) });
  });
  afterAll(async () => t?.close());

  it('finds a group by name, by ARN and by the deprecated GroupName', async () => {
    const expected = { Group: { GroupArn: arn('db.servers'), Name: 'db.servers', Description: 'Databases' } };
    expect(await t.api.tend('GetGroup', { Group: 'db.servers' })).toEqual(expected);
    expect(await t.api.tend('GetGroup', { Group: arn('db.servers') })).toEqual(expected);
    expect(await t.api.tend('GetGroup', { GroupName: 'db.servers' })).toEqual(expected);
    expect(await t.api.tend('GetGroup', { GroupName: 'db.servers', Group: arn('db.servers') })).toEqual(expected);
    expect(await t.api.tend('GetGroup', { Group: 'plain' })).toEqual({ Group: { GroupArn: arn('plain'), Name: 'plain' } });
  });

  it('answers NotFoundException for an unknown group or an ARN of another account', async () => {
    await expect(t.api.tend('GetGroup', { Group: 'nope' })).rejects.toMatchObject({ name: 'NotFoundException', status: 404 });
    await expect(t.api.tend('GetGroup', { Group: arn('db.servers', '210987654321') })).rejects.toMatchObject({ name: 'NotFoundException' });
  });

  it('refuses a request naming no group, or two different ones, with BadRequestException', async () => {
    await expect(t.api.tend('GetGroup', {})).rejects.toMatchObject({ name: 'BadRequestException' });
    await expect(t.api.tend('GetGroup', { Group: 'plain', GroupName: 'db.servers' })).rejects.toMatchObject({ name: 'BadRequestException' });
  });

  it('refuses a malformed identifier with ValidationException', async () => {
    await expect(t.api.tend('GetGroup', { Group: 'a b' })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(t.api.tend('GetGroup', { Group: 'arn:aws:ssm:us-east-1:123456789012:parameter/x' })).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
