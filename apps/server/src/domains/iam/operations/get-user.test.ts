import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, type TestServer } from '../../../testing/test-server.js';
import { createUserWithKey, policyDocument } from '../iam-test-fixtures.js';

describeEachDatabase('Tend.GetUser', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  it('returns a named user with its tags', async () => {
    const created = await t.api.tend('CreateUser', { UserName: 'dana', Path: '/dev/', Tags: [{ Key: 'b', Value: '2' }, { Key: 'a', Value: '1' }] });
    const { User } = await t.api.tend('GetUser', { UserName: 'dana' });
    expect(User).toEqual({ ...created.User, Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] });
  });

  it('answers NoSuchEntityException for an unknown user', async () => {
    await expect(t.api.tend('GetUser', { UserName: 'nobody' })).rejects.toMatchObject({ name: 'NoSuchEntityException', status: 404 });
  });

  it('without a name returns the calling user, authorized on the caller’s own ARN', async () => {
    const self = `arn:aws:iam::${TEST_ACCOUNT}:user/erin`;
    const erin = await createUserWithKey(t, 'erin', policyDocument({ Effect: 'Allow', Action: 'iam:GetUser', Resource: self }));
    const { User } = await erin.api.tend('GetUser');
    expect(User).toMatchObject({ UserName: 'erin', Arn: self });
    await expect(erin.api.tend('GetUser', { UserName: 'dana' })).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('without a name as root returns the root ARN and the account id, not a user', async () => {
    const { User } = await t.api.tend('GetUser');
    expect(User).toMatchObject({ UserId: TEST_ACCOUNT, Arn: `arn:aws:iam::${TEST_ACCOUNT}:root` });
    expect(typeof User.CreateDate).toBe('number');
    expect(User).not.toHaveProperty('UserName');
  });

  it('authorizes on the user’s ARN including its path', async () => {
    const frank = await createUserWithKey(
      t,
      'frank',
      policyDocument({ Effect: 'Allow', Action: 'iam:GetUser', Resource: `arn:aws:iam::${TEST_ACCOUNT}:user/dev/*` }),
    );
    await expect(frank.api.tend('GetUser', { UserName: 'dana' })).resolves.toMatchObject({ User: { Path: '/dev/' } });
    await expect(frank.api.tend('GetUser', { UserName: 'erin' })).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});

describeEachDatabase('Tend.GetUser across replicas', (dialect) => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await startTestServer(dialect);
    b = await startTestServer(dialect, { dataDir: a.dataDir, databaseUrl: a.databaseUrl });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('re-checks a path-scoped Deny on a user another replica created moments ago', async () => {
    // Replica B starts last, so its root secret is the one in the shared database.
    const rootOnA = a.clientsFor(b.credentials);
    await b.api.tend('ListUsers'); // B now knows every user's path, for a few seconds
    await rootOnA.api.tend('CreateUser', { UserName: 'zed', Path: '/team/' });
    const xavier = await createUserWithKey(
      { ...a, api: rootOnA.api },
      'xavier',
      policyDocument(
        { Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' },
        { Effect: 'Deny', Action: 'iam:GetUser', Resource: `arn:aws:iam::${TEST_ACCOUNT}:user/team/*` },
      ),
    );
    const xavierOnB = b.clientsFor(xavier.credentials);
    await expect(xavierOnB.api.tend('GetUser', { UserName: 'zed' })).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining(':user/team/zed'),
    });
    await expect(xavierOnB.api.tend('GetUser', { UserName: 'xavier' })).resolves.toMatchObject({ User: { UserName: 'xavier' } });
  });
});
