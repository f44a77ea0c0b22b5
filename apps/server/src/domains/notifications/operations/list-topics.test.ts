import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, TEST_REGION, type TestServer } from '../../../testing/test-server.js';

describeEachDatabase('Tend.ListTopics', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  it('answers an empty list before any topic exists', async () => {
    await expect(t.api.tend('ListTopics')).resolves.toEqual({ Topics: [] });
  });

  it('lists topics by name, 100 a page, with NextToken', async () => {
    const names = Array.from({ length: 130 }, (_, i) => `topic-${String(i).padStart(3, '0')}`);
    for (const Name of names) await t.api.tend('CreateTopic', { Name });
    const first = await t.api.tend('ListTopics');
    expect(first.Topics).toHaveLength(100);
    expect(first.Topics[0]).toEqual({ TopicArn: `arn:aws:sns:${TEST_REGION}:${TEST_ACCOUNT}:topic-000` });
    expect(first.NextToken).toEqual(expect.any(String));
    const second = await t.api.tend('ListTopics', { NextToken: first.NextToken });
    expect(second).not.toHaveProperty('NextToken');
    const all = [...first.Topics, ...second.Topics].map((x: { TopicArn: string }) => x.TopicArn.split(':').pop());
    expect(all).toEqual(names);
  });

  it('refuses a NextToken it did not issue', async () => {
    await expect(t.api.tend('ListTopics', { NextToken: 'bogus' })).rejects.toMatchObject({ name: 'InvalidParameterException', message: 'Invalid parameter: NextToken' });
  });
});
