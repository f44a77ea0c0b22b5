import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, type TestServer } from '../../../testing/test-server.js';
import { createUserWithKey, policyDocument } from '../iam-test-fixtures.js';

describeEachDatabase('Tend.DeleteAccessKey', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  it('refuses a deleted key from the very next request', async () => {
    const pia = await createUserWithKey(t, 'pia', policyDocument({ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }));
    await pia.api.tend('ListUsers');
    await t.api.tend('DeleteAccessKey', { UserName: 'pia', AccessKeyId: pia.credentials.accessKeyId });
    await expect(pia.api.tend('ListUsers')).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    expect((await t.api.tend('ListAccessKeys', { UserName: 'pia' })).AccessKeyMetadata).toEqual([]);
  });

  it('without a name deletes one of the caller’s own keys', async () => {
    const quinn = await createUserWithKey(t, 'quinn', policyDocument({ Effect: 'Allow', Action: 'iam:*AccessKey*', Resource: `arn:aws:iam::${TEST_ACCOUNT}:user/quinn` }));
    const spare = (await quinn.api.tend('CreateAccessKey')).AccessKey;
    await quinn.api.tend('DeleteAccessKey', { AccessKeyId: spare.AccessKeyId });
    const left = (await quinn.api.tend('ListAccessKeys')).AccessKeyMetadata;
    expect(left.map((k: { AccessKeyId: string }) => k.AccessKeyId)).toEqual([quinn.credentials.accessKeyId]);
  });

  it('answers NoSuchEntityException for an unknown key, and never touches the root key', async () => {
    await t.api.tend('CreateUser', { UserName: 'ray' });
    await expect(t.api.tend('DeleteAccessKey', { UserName: 'ray', AccessKeyId: 'AKIAUNKNOWN000000000' })).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    await expect(t.api.tend('DeleteAccessKey', { UserName: 'ray', AccessKeyId: t.credentials.accessKeyId })).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    await expect(t.api.tend('DeleteAccessKey', { AccessKeyId: t.credentials.accessKeyId })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(t.api.tend('ListUsers')).resolves.toBeDefined();
  });
});
