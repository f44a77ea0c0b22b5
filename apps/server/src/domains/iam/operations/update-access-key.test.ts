import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../../../testing/test-server.js';
import { createUserWithKey, policyDocument } from '../iam-test-fixtures.js';

describeEachDatabase('Tend.UpdateAccessKey', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  it('refuses a deactivated key from the very next request, and accepts it again once reactivated', async () => {
    const mia = await createUserWithKey(t, 'mia', policyDocument({ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }));
    // Warm the principal cache first: the change must not wait for it to expire.
    await mia.api.tend('ListUsers');
    await t.api.tend('UpdateAccessKey', { UserName: 'mia', AccessKeyId: mia.credentials.accessKeyId, Status: 'Inactive' });
    await expect(mia.api.tend('ListUsers')).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    expect((await t.api.tend('ListAccessKeys', { UserName: 'mia' })).AccessKeyMetadata[0].Status).toBe('Inactive');

    await t.api.tend('UpdateAccessKey', { UserName: 'mia', AccessKeyId: mia.credentials.accessKeyId, Status: 'Active' });
    await expect(mia.api.tend('ListUsers')).resolves.toMatchObject({ IsTruncated: false });
  });

  it('answers NoSuchEntityException for an unknown key or a key of another user', async () => {
    await t.api.tend('CreateUser', { UserName: 'ned' });
    const other = (await t.api.tend('CreateAccessKey', { UserName: 'ned' })).AccessKey;
    await t.api.tend('CreateUser', { UserName: 'oli' });
    await expect(t.api.tend('UpdateAccessKey', { UserName: 'oli', AccessKeyId: other.AccessKeyId, Status: 'Inactive' })).rejects.toMatchObject({
      name: 'NoSuchEntityException',
    });
    await expect(t.api.tend('UpdateAccessKey', { UserName: 'oli', AccessKeyId: 'AKIAUNKNOWN000000000', Status: 'Inactive' })).rejects.toMatchObject({
      name: 'NoSuchEntityException',
    });
    // The root key is not any user's key.
    await expect(t.api.tend('UpdateAccessKey', { UserName: 'oli', AccessKeyId: t.credentials.accessKeyId, Status: 'Inactive' })).rejects.toMatchObject({
      name: 'NoSuchEntityException',
    });
  });

  it('refuses a status other than Active or Inactive', async () => {
    await expect(t.api.tend('UpdateAccessKey', { UserName: 'ned', AccessKeyId: 'AKIAUNKNOWN000000000', Status: 'Disabled' })).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });
});
