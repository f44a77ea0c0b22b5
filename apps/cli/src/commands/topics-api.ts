import type { TendClient } from '../api/tend-client.js';
import { CliError } from '../errors.js';

/** A subscription as Tend.ListSubscriptions answers it. */
export interface Subscription {
  SubscriptionArn: string;
  Owner?: string;
  Protocol: string;
  Endpoint: string;
  TopicArn: string;
}

/** A delivery as Tend.ListDeliveries answers it (times in epoch seconds). */
export interface Delivery {
  DeliveryId: string;
  MessageId: string;
  TopicArn: string;
  SubscriptionArn: string;
  Protocol: string;
  Endpoint: string;
  Status: string;
  Attempts: number;
  LastError?: string;
  LastAttemptTime?: number;
  NextAttemptTime?: number;
  DeliveredTime?: number;
  CreatedTime: number;
}

/** `arn:aws:sns:<region>:<account>:<name>` → `<name>`. */
export function topicNameOfArn(arn: string): string {
  return arn.slice(arn.lastIndexOf(':') + 1);
}

/** Every page of a NextToken-paged Tend.* listing, concatenated. */
export async function listAllPages<T>(api: TendClient, operation: string, input: object, key: string): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const page = await api.tend<Record<string, unknown> & { NextToken?: string }>(operation, { ...input, ...(token ? { NextToken: token } : {}) });
    all.push(...((page[key] as T[] | undefined) ?? []));
    token = page.NextToken;
  } while (token);
  return all;
}

/** Every topic's ARN (Tend.ListTopics, all pages). */
export async function listTopicArns(api: TendClient): Promise<string[]> {
  const topics = await listAllPages<{ TopicArn: string }>(api, 'ListTopics', {}, 'Topics');
  return topics.map((t) => t.TopicArn);
}

/**
 * A topic given as its ARN or its name, as an ARN. A name is looked up in
 * ListTopics, so one that does not exist is reported here rather than
 * silently succeeding (DeleteTopic is idempotent).
 */
export async function resolveTopicArn(api: TendClient, topic: string): Promise<string> {
  if (topic.startsWith('arn:')) return topic;
  const arn = (await listTopicArns(api)).find((a) => topicNameOfArn(a) === topic);
  if (!arn) throw new CliError('NotFoundException', `no topic named ${topic}`);
  return arn;
}

/** Epoch seconds as `formatDate` prints dates. */
export function secondsToDate(seconds: number | undefined): Date | undefined {
  return seconds === undefined ? undefined : new Date(seconds * 1000);
}
