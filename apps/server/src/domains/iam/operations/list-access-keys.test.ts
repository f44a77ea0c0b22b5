import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, type TestServer } from '../../../testing/test-server.js';
import { createUserWithKey, policyDocument } from '../iam-test-fixtures.js';

describeEachDatabase('Tend.ListAccessKeys', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  it('lists metadata, never secrets, ordered by key id and paged', async () => {
    await t.api.tend('CreateUser', { UserName: 'kim' });
    const created = [(await t.api.tend('CreateAccessKey', { UserName: 'kim' })).AccessKey, (await t.api.tend('CreateAccessKey', { UserName: 'kim' })).AccessKey];
    const ids = created.map((k) => k.AccessKeyId).sort();

    const all = await t.api.tend('ListAccessKeys', { UserName: 'kim' });
    expect(all.IsTruncated).toBe(false);
    expect(all.AccessKeyMetadata.map((k: { AccessKeyId: string }) => k.AccessKeyId)).toEqual(ids);
    expect(all.AccessKeyMetadata[0]).toEqual({ UserName: 'kim', AccessKeyId: ids[0], Status: 'Active', CreateDate: expect.any(Number) });
    for (const k of created) expect(JSON.stringify(all)).not.toContain(k.SecretAccessKey);

    const first = await t.api.tend('ListAccessKeys', { UserName: 'kim', MaxItems: 1 });
    expect(first).toMatchObject({ IsTruncated: true, AccessKeyMetadata: [{ AccessKeyId: ids[0] }] });
    const second = await t.api.tend('ListAccessKeys', { UserName: 'kim', MaxItems: 1, Marker: first.Marker });
    expect(second).toMatchObject({ IsTruncated: false, AccessKeyMetadata: [{ AccessKeyId: ids[1] }] });
  });

  it('without a name lists the caller’s own keys', async () => {
    const lee = await createUserWithKey(t, 'lee', policyDocument({ Effect: 'Allow', Action: 'iam:ListAccessKeys', Resource: `arn:aws:iam::${TEST_ACCOUNT}:user/lee` }));
    const own = await lee.api.tend('ListAccessKeys');
    expect(own.AccessKeyMetadata).toEqual([expect.objectContaining({ UserName: 'lee', AccessKeyId: lee.credentials.accessKeyId })]);
    await expect(lee.api.tend('ListAccessKeys', { UserName: 'kim' })).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('answers NoSuchEntityException for an unknown user', async () => {
    await expect(t.api.tend('ListAccessKeys', { UserName: 'nobody' })).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });
});
