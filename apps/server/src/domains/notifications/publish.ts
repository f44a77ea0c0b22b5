import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import { ServiceError } from '../../rpc/errors.js';
import { invalidParameter, topicNotFound } from './notification-arns.js';

/** Outbox event type of a message published to a topic; the notifications consumer fans it out to the topic's subscriptions. */
export const NOTIFICATION_PUBLISH_EVENT = 'notification.publish';

/** SNS MessageAttributes value; Tend carries the textual data types. */
export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
}

/** Payload of a `notification.publish` event (its `occurred_at` is the publish time). */
export interface NotificationPublishEvent {
  messageId: string;
  topicArn: string;
  subject?: string;
  message: string;
  /** `json`: `message` is a JSON object of one text per protocol plus `default`. */
  messageStructure?: 'json';
  messageAttributes?: Record<string, MessageAttributeValue>;
}

export interface PublishInput {
  topicArn: string;
  subject?: string;
  message: string;
  messageStructure?: string;
  messageAttributes?: Record<string, MessageAttributeValue>;
}

export interface PublishOptions {
  /** Publish time, epoch milliseconds. */
  now: number;
  /**
   * `error` (default): NotFoundException when the topic does not exist.
   * `skip`: publish nothing and answer undefined, for callers whose own
   * change must not fail because a topic was deleted (a command's
   * NotificationArn, say).
   */
  ifTopicMissing?: 'error' | 'skip';
}

// SNS's limits: a 256 KiB message, a subject of printable ASCII under 100 characters, 10 attributes.
const MAX_MESSAGE_BYTES = 262_144;
const SUBJECT = /^[\x21-\x7E][\x20-\x7E]{0,98}$/;
const ATTRIBUTE_NAME = /^(?!\.)(?!.*\.\.)(?!.*\.$)[A-Za-z0-9_.-]{1,256}$/;
const MAX_ATTRIBUTES = 10;

/**
 * Publishes a message to a topic inside the caller's transaction: it is
 * delivered if and only if the caller's change commits. Answers the
 * MessageId. Call `signalOutboxWritten()` after the commit for an immediate
 * fan-out; without it the message goes out within a poll interval.
 */
export async function publishInTransaction(trx: Kysely<Database>, input: PublishInput, options: PublishOptions): Promise<string | undefined> {
  const event = checkedPublishEvent(input);
  const topic = await trx.selectFrom('notification_topics').select('arn').where('arn', '=', input.topicArn).executeTakeFirst();
  if (!topic) {
    if (options.ifTopicMissing === 'skip') return undefined;
    throw topicNotFound();
  }
  await trx
    .insertInto('outbox_events')
    .values({ event_type: NOTIFICATION_PUBLISH_EVENT, occurred_at: options.now, payload: JSON.stringify(event) })
    .execute();
  return event.messageId;
}

/** Validates a message as SNS Publish does and gives it its MessageId. */
function checkedPublishEvent(input: PublishInput): NotificationPublishEvent {
  if (input.message.length === 0) throw invalidParameter('Empty message');
  if (Buffer.byteLength(input.message, 'utf8') > MAX_MESSAGE_BYTES) throw invalidParameter('Message too long');
  if (input.subject !== undefined && !SUBJECT.test(input.subject)) {
    throw invalidParameter('Subject: must be printable ASCII under 100 characters, starting with a letter, digit or punctuation, without line breaks');
  }
  let messageStructure: 'json' | undefined;
  if (input.messageStructure !== undefined) {
    if (input.messageStructure !== 'json') throw invalidParameter('MessageStructure: the only valid value is json');
    checkJsonStructure(input.message);
    messageStructure = 'json';
  }
  const attributes = input.messageAttributes;
  if (attributes) checkMessageAttributes(attributes);
  return {
    messageId: randomUUID(),
    topicArn: input.topicArn,
    ...(input.subject !== undefined ? { subject: input.subject } : {}),
    message: input.message,
    ...(messageStructure ? { messageStructure } : {}),
    ...(attributes && Object.keys(attributes).length ? { messageAttributes: attributes } : {}),
  };
}

function checkJsonStructure(message: string): void {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    throw invalidParameter('Message Structure - JSON message body failed to parse');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidParameter('Message Structure - JSON message body failed to parse');
  const entries = Object.entries(value as Record<string, unknown>);
  if (!entries.some(([key]) => key === 'default')) throw invalidParameter('Message Structure - No default entry in JSON message body');
  if (entries.some(([, text]) => typeof text !== 'string')) throw invalidParameter('Message Structure - every entry must be a string');
}

function checkMessageAttributes(attributes: Record<string, MessageAttributeValue>): void {
  const names = Object.keys(attributes);
  if (names.length > MAX_ATTRIBUTES) throw new ServiceError('InvalidParameterValueException', `Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_ATTRIBUTES}].`);
  for (const name of names) {
    const { DataType, StringValue } = attributes[name]!;
    if (!ATTRIBUTE_NAME.test(name) || /^(aws|amazon)\./i.test(name)) {
      throw new ServiceError('InvalidParameterValueException', `The message attribute name '${name}' is invalid`);
    }
    // Binary values would need a byte-safe path through the transports; Tend carries text only.
    if (!/^(String|Number|String\.Array)(\..+)?$/.test(DataType) || DataType.startsWith('String.Array.')) {
      throw new ServiceError('InvalidParameterValueException', `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is String, Number and String.Array.`);
    }
    if (StringValue === undefined || StringValue === '') {
      throw new ServiceError('InvalidParameterValueException', `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${DataType}'.`);
    }
    if (DataType.startsWith('Number') && !Number.isFinite(Number(StringValue))) {
      throw new ServiceError('InvalidParameterValueException', `Could not cast message attribute '${name}' value to number.`);
    }
  }
}

/** The text for one protocol of a message published with MessageStructure json; the message itself otherwise. */
export function messageForProtocol(message: string, structure: string | null | undefined, protocol: string): string {
  if (structure !== 'json') return message;
  const parts = JSON.parse(message) as Record<string, string>;
  return parts[protocol] ?? parts.default!;
}
