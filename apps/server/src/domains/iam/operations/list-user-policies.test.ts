import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../../../testing/test-server.js';
import { policyDocument } from '../iam-test-fixtures.js';

describeEachDatabase('Tend.ListUserPolicies', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  it('lists policy names in order, paged', async () => {
    await t.api.tend('CreateUser', { UserName: 'vic' });
    expect(await t.api.tend('ListUserPolicies', { UserName: 'vic' })).toEqual({ PolicyNames: [], IsTruncated: false });
    const document = policyDocument({ Effect: 'Allow', Action: 'ssm:GetParameter', Resource: '*' });
    for (const name of ['c', 'a', 'b']) await t.api.tend('PutUserPolicy', { UserName: 'vic', PolicyName: name, PolicyDocument: document });

    expect(await t.api.tend('ListUserPolicies', { UserName: 'vic' })).toEqual({ PolicyNames: ['a', 'b', 'c'], IsTruncated: false });
    const first = await t.api.tend('ListUserPolicies', { UserName: 'vic', MaxItems: 2 });
    expect(first).toMatchObject({ PolicyNames: ['a', 'b'], IsTruncated: true, Marker: expect.any(String) });
    expect(await t.api.tend('ListUserPolicies', { UserName: 'vic', MaxItems: 2, Marker: first.Marker })).toEqual({ PolicyNames: ['c'], IsTruncated: false });
  });

  it('answers NoSuchEntityException for an unknown user', async () => {
    await expect(t.api.tend('ListUserPolicies', { UserName: 'nobody' })).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });
});
