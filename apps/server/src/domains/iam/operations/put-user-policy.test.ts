import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../../../testing/test-server.js';
import { createUserWithKey, policyDocument } from '../iam-test-fixtures.js';
import { MAX_USER_POLICIES_CHARS } from '../iam.store.js';

describeEachDatabase('Tend.PutUserPolicy', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  it('applies a replaced policy from the very next request', async () => {
    const sam = await createUserWithKey(t, 'sam', policyDocument({ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }));
    await expect(sam.api.tend('ListUsers')).resolves.toBeDefined();
    await expect(sam.api.tend('ListUserPolicies', { UserName: 'sam' })).rejects.toMatchObject({ name: 'AccessDeniedException' });

    await t.api.tend('PutUserPolicy', { UserName: 'sam', PolicyName: 'main', PolicyDocument: policyDocument({ Effect: 'Allow', Action: 'iam:ListUserPolicies', Resource: '*' }) });
    await expect(sam.api.tend('ListUserPolicies', { UserName: 'sam' })).resolves.toMatchObject({ PolicyNames: ['main'] });
    await expect(sam.api.tend('ListUsers')).rejects.toMatchObject({ name: 'AccessDeniedException' });

    // A second policy adds to the first.
    await t.api.tend('PutUserPolicy', { UserName: 'sam', PolicyName: 'extra', PolicyDocument: policyDocument({ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }) });
    await expect(sam.api.tend('ListUsers')).resolves.toBeDefined();
  });

  it.each([
    ['not JSON', 'not json'],
    ['a Condition', policyDocument({ Effect: 'Allow', Action: 'ssm:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } })],
    ['no Statement', JSON.stringify({ Version: '2012-10-17' })],
  ])('refuses a document with %s as MalformedPolicyDocumentException', async (_what, document) => {
    await expect(t.api.tend('PutUserPolicy', { UserName: 'sam', PolicyName: 'bad', PolicyDocument: document })).rejects.toMatchObject({
      name: 'MalformedPolicyDocumentException',
    });
    expect((await t.api.tend('ListUserPolicies', { UserName: 'sam' })).PolicyNames).not.toContain('bad');
  });

  it('refuses invalid names and an unknown user', async () => {
    const document = policyDocument({ Effect: 'Allow', Action: 'ssm:*', Resource: '*' });
    await expect(t.api.tend('PutUserPolicy', { UserName: 'sam', PolicyName: 'has space', PolicyDocument: document })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(t.api.tend('PutUserPolicy', { UserName: 'sam', PolicyName: 'p'.repeat(129), PolicyDocument: document })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(t.api.tend('PutUserPolicy', { UserName: 'nobody', PolicyName: 'p', PolicyDocument: document })).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });

  it('keeps the user’s policies together under the size limit (LimitExceededException)', async () => {
    await t.api.tend('CreateUser', { UserName: 'tara' });
    const padded = (n: number) => policyDocument({ Sid: 'x'.repeat(n), Effect: 'Allow', Action: 'ssm:GetParameter', Resource: '*' });
    const big = padded(Math.floor(MAX_USER_POLICIES_CHARS * 0.6));
    await t.api.tend('PutUserPolicy', { UserName: 'tara', PolicyName: 'one', PolicyDocument: big });
    await expect(t.api.tend('PutUserPolicy', { UserName: 'tara', PolicyName: 'two', PolicyDocument: big })).rejects.toMatchObject({ name: 'LimitExceededException' });
    // Replacing the existing policy does not count its old text.
    await t.api.tend('PutUserPolicy', { UserName: 'tara', PolicyName: 'one', PolicyDocument: big });
    expect((await t.api.tend('ListUserPolicies', { UserName: 'tara' })).PolicyNames).toEqual(['one']);
  });
});
