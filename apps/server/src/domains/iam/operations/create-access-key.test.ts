import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, type TestServer } from '../../../testing/test-server.js';
import { createUserWithKey, policyDocument } from '../iam-test-fixtures.js';

describeEachDatabase('Tend.CreateAccessKey', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  it('returns a working key whose secret is stored only sealed', async () => {
    await t.api.tend('CreateUser', { UserName: 'hana' });
    await t.api.tend('PutUserPolicy', {
      UserName: 'hana',
      PolicyName: 'self',
      PolicyDocument: policyDocument({ Effect: 'Allow', Action: 'iam:GetUser', Resource: `arn:aws:iam::${TEST_ACCOUNT}:user/hana` }),
    });
    const { AccessKey } = await t.api.tend('CreateAccessKey', { UserName: 'hana' });
    expect(AccessKey).toMatchObject({ UserName: 'hana', Status: 'Active' });
    expect(AccessKey.AccessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(AccessKey.SecretAccessKey.length).toBeGreaterThanOrEqual(40);
    expect(typeof AccessKey.CreateDate).toBe('number');

    const hana = t.clientsFor({ accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey });
    await expect(hana.api.tend('GetUser')).resolves.toMatchObject({ User: { UserName: 'hana' } });

    const row = await t.server.services.db.selectFrom('iam_access_keys').selectAll().where('access_key_id', '=', AccessKey.AccessKeyId).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(AccessKey.SecretAccessKey);
  });

  it('allows two keys per user, then answers LimitExceededException', async () => {
    await t.api.tend('CreateUser', { UserName: 'ivan' });
    await t.api.tend('CreateAccessKey', { UserName: 'ivan' });
    await t.api.tend('CreateAccessKey', { UserName: 'ivan' });
    await expect(t.api.tend('CreateAccessKey', { UserName: 'ivan' })).rejects.toMatchObject({ name: 'LimitExceededException', status: 409 });
    expect((await t.api.tend('ListAccessKeys', { UserName: 'ivan' })).AccessKeyMetadata).toHaveLength(2);
  });

  it('without a name creates a key for the calling user; root must name a user', async () => {
    const jo = await createUserWithKey(t, 'jo', policyDocument({ Effect: 'Allow', Action: 'iam:*AccessKey*', Resource: `arn:aws:iam::${TEST_ACCOUNT}:user/jo` }));
    const { AccessKey } = await jo.api.tend('CreateAccessKey');
    expect(AccessKey.UserName).toBe('jo');
    await expect(jo.api.tend('CreateAccessKey', { UserName: 'ivan' })).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(t.api.tend('CreateAccessKey')).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('root') });
  });

  it('answers NoSuchEntityException for an unknown user', async () => {
    await expect(t.api.tend('CreateAccessKey', { UserName: 'nobody' })).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });
});
