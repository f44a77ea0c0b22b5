import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../../../testing/test-server.js';
import { createUserWithKey, policyDocument } from '../iam-test-fixtures.js';

describeEachDatabase('Tend.DeleteUser', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  it('refuses while the user has keys or policies, then deletes the user and its tags', async () => {
    await t.api.tend('CreateUser', { UserName: 'gina', Tags: [{ Key: 'team', Value: 'x' }] });
    const gina = await createUserWithKey(t, 'gina2', policyDocument({ Effect: 'Allow', Action: '*', Resource: '*' }));
    await expect(t.api.tend('DeleteUser', { UserName: gina.userName })).rejects.toMatchObject({ name: 'DeleteConflictException', status: 409 });
    await t.api.tend('DeleteAccessKey', { UserName: gina.userName, AccessKeyId: gina.credentials.accessKeyId });
    await expect(t.api.tend('DeleteUser', { UserName: gina.userName })).rejects.toMatchObject({ name: 'DeleteConflictException' });
    await t.api.tend('DeleteUserPolicy', { UserName: gina.userName, PolicyName: 'main' });
    await t.api.tend('DeleteUser', { UserName: gina.userName });
    await expect(t.api.tend('GetUser', { UserName: gina.userName })).rejects.toMatchObject({ name: 'NoSuchEntityException' });

    await t.api.tend('DeleteUser', { UserName: 'gina' });
    const tags = await t.server.services.db.selectFrom('resource_tags').selectAll().where('resource_id', '=', 'gina').execute();
    expect(tags).toEqual([]);
    // The name is free again.
    await expect(t.api.tend('CreateUser', { UserName: 'gina' })).resolves.toMatchObject({ User: { UserName: 'gina' } });
  });

  it('answers NoSuchEntityException for an unknown user', async () => {
    await expect(t.api.tend('DeleteUser', { UserName: 'nobody' })).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });
});
