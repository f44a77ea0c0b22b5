import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../../../testing/test-server.js';
import { policyDocument } from '../iam-test-fixtures.js';

describeEachDatabase('Tend.GetUserPolicy', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
    await t.api.tend('CreateUser', { UserName: 'uma' });
  });
  afterAll(async () => t?.close());

  it('returns the document exactly as it was put', async () => {
    const document = policyDocument({ Sid: 'ReadDev', Effect: 'Allow', Action: ['ssm:GetParameter'], Resource: 'arn:aws:ssm:*:*:parameter/app/dev/*' });
    await t.api.tend('PutUserPolicy', { UserName: 'uma', PolicyName: 'read-dev', PolicyDocument: document });
    await expect(t.api.tend('GetUserPolicy', { UserName: 'uma', PolicyName: 'read-dev' })).resolves.toEqual({
      UserName: 'uma',
      PolicyName: 'read-dev',
      PolicyDocument: document,
    });
  });

  it('answers NoSuchEntityException for an unknown policy or user', async () => {
    await expect(t.api.tend('GetUserPolicy', { UserName: 'uma', PolicyName: 'nope' })).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    await expect(t.api.tend('GetUserPolicy', { UserName: 'nobody', PolicyName: 'read-dev' })).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });
});
