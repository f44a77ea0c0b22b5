import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../../../testing/test-server.js';
import { createUserWithKey, policyDocument } from '../iam-test-fixtures.js';

describeEachDatabase('Tend.DeleteUserPolicy', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  it('withdraws what the policy granted from the very next request', async () => {
    const wes = await createUserWithKey(t, 'wes', policyDocument({ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }));
    await expect(wes.api.tend('ListUsers')).resolves.toBeDefined();
    await t.api.tend('DeleteUserPolicy', { UserName: 'wes', PolicyName: 'main' });
    await expect(wes.api.tend('ListUsers')).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect((await t.api.tend('ListUserPolicies', { UserName: 'wes' })).PolicyNames).toEqual([]);
  });

  it('answers NoSuchEntityException for an unknown policy or user', async () => {
    await expect(t.api.tend('DeleteUserPolicy', { UserName: 'wes', PolicyName: 'main' })).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    await expect(t.api.tend('DeleteUserPolicy', { UserName: 'nobody', PolicyName: 'main' })).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });
});
