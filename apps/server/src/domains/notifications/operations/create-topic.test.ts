import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, TEST_REGION, type TestServer } from '../../../testing/test-server.js';
import { createUserWithKey, policyDocument } from '../../iam/iam-test-fixtures.js';

describeEachDatabase('Tend.CreateTopic', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  it('answers the topic’s SNS ARN, and the same ARN again for the same name and attributes', async () => {
    const first = await t.api.tend('CreateTopic', { Name: 'ops-alerts', Attributes: { DisplayName: 'Ops' }, Tags: [{ Key: 'team', Value: 'ops' }] });
    expect(first).toEqual({ TopicArn: `arn:aws:sns:${TEST_REGION}:${TEST_ACCOUNT}:ops-alerts` });
    await expect(t.api.tend('CreateTopic', { Name: 'ops-alerts', Attributes: { DisplayName: 'Ops' } })).resolves.toEqual(first);
    await expect(t.api.tend('CreateTopic', { Name: 'ops-alerts', Attributes: { DisplayName: 'Ops' }, Tags: [{ Key: 'team', Value: 'ops' }] })).resolves.toEqual(first);
    const { Topics } = await t.api.tend('ListTopics');
    expect(Topics.filter((x: { TopicArn: string }) => x.TopicArn === first.TopicArn)).toHaveLength(1);
  });

  it('refuses the same name with other attributes or other tags', async () => {
    await t.api.tend('CreateTopic', { Name: 'taken', Attributes: { DisplayName: 'A' }, Tags: [{ Key: 'k', Value: '1' }] });
    await expect(t.api.tend('CreateTopic', { Name: 'taken', Attributes: { DisplayName: 'B' } })).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Invalid parameter: Attributes Reason: Topic already exists with different attributes',
    });
    await expect(t.api.tend('CreateTopic', { Name: 'taken', Attributes: { DisplayName: 'A' }, Tags: [{ Key: 'k', Value: '2' }] })).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('different tags'),
    });
  });

  it.each([
    ['a name with a dot', { Name: 'a.b' }, 'Topic Name'],
    ['a name of 257 characters', { Name: 'n'.repeat(257) }, 'Topic Name'],
    ['a FIFO topic', { Name: 'orders.fifo' }, 'FIFO'],
    ['an SNS attribute Tend does not implement', { Name: 'kms', Attributes: { KmsMasterKeyId: 'alias/aws/sns' } }, 'KmsMasterKeyId is not supported'],
    ['an unknown attribute', { Name: 'odd', Attributes: { Colour: 'blue' } }, 'Unknown attribute Colour'],
    ['a DisplayName over 100 characters', { Name: 'long', Attributes: { DisplayName: 'd'.repeat(101) } }, 'DisplayName'],
  ])('refuses %s with InvalidParameterException', async (_what, input, message) => {
    await expect(t.api.tend('CreateTopic', input)).rejects.toMatchObject({ name: 'InvalidParameterException', status: 400, message: expect.stringContaining(message) });
  });

  it('refuses a missing name and a reserved tag key with ValidationException', async () => {
    await expect(t.api.tend('CreateTopic', {})).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(t.api.tend('CreateTopic', { Name: 'x', Tags: [{ Key: 'aws:owner', Value: 'x' }] })).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('authorizes sns:CreateTopic on the topic’s ARN', async () => {
    const user = await createUserWithKey(
      t,
      'topic-maker',
      policyDocument({ Effect: 'Allow', Action: 'sns:CreateTopic', Resource: `arn:aws:sns:${TEST_REGION}:${TEST_ACCOUNT}:team-*` }),
    );
    await expect(user.api.tend('CreateTopic', { Name: 'team-a' })).resolves.toHaveProperty('TopicArn');
    await expect(user.api.tend('CreateTopic', { Name: 'other' })).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});
