import { ServiceError } from '../../rpc/errors.js';
import type { ArnScope } from '../tags/tag-resource-types.js';

// SNS topic names: 1-256 letters, digits, hyphens and underscores (".fifo" would mark a FIFO topic).
const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const TOPIC_ARN = /^arn:aws:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256})$/;
const SUBSCRIPTION_ARN = /^arn:aws:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256}):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** `resource_tags.resource_type` of topics' tags (not a Systems Manager tagging type). */
export const TOPIC_TAG_RESOURCE = 'SnsTopic';

/** InvalidParameterException with SNS's wording ("Invalid parameter: <what>"). */
export function invalidParameter(what: string): ServiceError {
  return new ServiceError('InvalidParameterException', `Invalid parameter: ${what}`);
}

export function topicNotFound(): ServiceError {
  return new ServiceError('NotFoundException', 'Topic does not exist');
}

export function subscriptionNotFound(): ServiceError {
  return new ServiceError('NotFoundException', 'Subscription does not exist');
}

/** A new topic's name; InvalidParameterException as SNS answers, and FIFO topics are refused rather than created as standard ones. */
export function checkTopicName(name: string): void {
  if (name.endsWith('.fifo')) throw invalidParameter('Topic Name: FIFO topics are not supported by Tend');
  if (!TOPIC_NAME.test(name)) {
    throw invalidParameter('Topic Name: must be 1-256 characters: letters, digits, hyphens (-) and underscores (_)');
  }
}

export function topicArn(scope: ArnScope, name: string): string {
  return `arn:aws:sns:${scope.region}:${scope.accountId}:${name}`;
}

/**
 * The topic name in a TopicArn. A malformed ARN is InvalidParameterException;
 * one of another region or account names no topic of this server (NotFoundException).
 */
export function topicNameOf(arn: string, scope: ArnScope): string {
  const m = TOPIC_ARN.exec(arn);
  if (!m) throw invalidParameter('TopicArn');
  if (m[1] !== scope.region || m[2] !== scope.accountId) throw topicNotFound();
  return m[3]!;
}

/** SNS subscription ARNs are the topic ARN and a UUID. */
export function subscriptionArn(topic: string, id: string): string {
  return `${topic}:${id}`;
}

/** The topic ARN a SubscriptionArn belongs to (what its permissions are checked on). */
export function topicArnOfSubscription(arn: string, scope: ArnScope): string {
  const m = SUBSCRIPTION_ARN.exec(arn);
  if (!m) throw invalidParameter('SubscriptionArn');
  if (m[1] !== scope.region || m[2] !== scope.accountId) throw subscriptionNotFound();
  return topicArn(scope, m[3]!);
}
