import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, TEST_REGION, type TestServer } from '../../../testing/test-server.js';
import { createUserWithKey, policyDocument } from '../../iam/iam-test-fixtures.js';
import { NOTIFICATION_PUBLISH_EVENT } from '../publish.js';

describeEachDatabase('Tend.Publish', (dialect) => {
  let t: TestServer;
  let topic: string;
  beforeAll(async () => {
    t = await startTestServer(dialect);
    ({ TopicArn: topic } = await t.api.tend('CreateTopic', { Name: 'published' }));
  });
  afterAll(async () => t?.close());

  it('answers a MessageId and writes the message to the outbox', async () => {
    const { MessageId } = await t.api.tend('Publish', { TopicArn: topic, Subject: 'Hello', Message: 'world' });
    expect(MessageId).toMatch(/^[0-9a-f-]{36}$/);
    const events = await t.server.services.db.selectFrom('outbox_events').selectAll().where('event_type', '=', NOTIFICATION_PUBLISH_EVENT).execute();
    expect(events.map((e) => JSON.parse(e.payload))).toContainEqual({ messageId: MessageId, topicArn: topic, subject: 'Hello', message: 'world' });
  });

  it('publishes to a topic without subscriptions, delivering nothing', async () => {
    const { MessageId } = await t.api.tend('Publish', { TopicArn: topic, Message: 'into the void' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await expect(t.api.tend('ListDeliveries', { MessageId })).resolves.toEqual({ Deliveries: [] });
  });

  it.each([
    ['an empty message', { Message: '' }, 'InvalidParameterException', 'Empty message'],
    ['a message over 256 KiB', { Message: 'x'.repeat(262_145) }, 'InvalidParameterException', 'Message too long'],
    ['a subject with a line break', { Message: 'm', Subject: 'a\nb' }, 'InvalidParameterException', 'Subject'],
    ['a subject of 100 characters', { Message: 'm', Subject: 's'.repeat(100) }, 'InvalidParameterException', 'Subject'],
    ['MessageStructure json without a default', { Message: '{"email":"x"}', MessageStructure: 'json' }, 'InvalidParameterException', 'No default entry'],
    ['MessageStructure json that is not JSON', { Message: 'nope', MessageStructure: 'json' }, 'InvalidParameterException', 'failed to parse'],
    ['a binary message attribute', { Message: 'm', MessageAttributes: { b: { DataType: 'Binary', BinaryValue: 'AAE=' } } }, 'InvalidParameterValueException', 'type'],
    ['a number attribute that is not a number', { Message: 'm', MessageAttributes: { n: { DataType: 'Number', StringValue: 'ten' } } }, 'InvalidParameterValueException', 'number'],
    ['a phone number', { Message: 'm', PhoneNumber: '+15555550100' }, 'InvalidParameterException', 'topics only'],
  ])('refuses %s', async (_what, input, name, message) => {
    await expect(t.api.tend('Publish', { TopicArn: topic, ...input })).rejects.toMatchObject({ name, message: expect.stringContaining(message) });
  });

  it('answers NotFoundException for a topic that does not exist', async () => {
    await expect(t.api.tend('Publish', { TopicArn: `arn:aws:sns:${TEST_REGION}:${TEST_ACCOUNT}:nowhere`, Message: 'm' })).rejects.toMatchObject({
      name: 'NotFoundException',
      message: 'Topic does not exist',
    });
  });

  it('authorizes sns:Publish on the topic', async () => {
    const user = await createUserWithKey(t, 'publisher', policyDocument({ Effect: 'Allow', Action: 'sns:Publish', Resource: topic }));
    await expect(user.api.tend('Publish', { TopicArn: topic, Message: 'ok' })).resolves.toHaveProperty('MessageId');
    const { TopicArn: other } = await t.api.tend('CreateTopic', { Name: 'private' });
    await expect(user.api.tend('Publish', { TopicArn: other, Message: 'no' })).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});
