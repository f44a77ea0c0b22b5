import { z } from 'zod';
import type { OperationContext } from '../../../rpc/operation.js';
import { ServiceError } from '../../../rpc/errors.js';
import { decodeNextToken, encodeNextToken } from '../../../rpc/page-token.js';
import type { ArnScope } from '../../tags/tag-resource-types.js';
import { NotificationsStore, type SubscriptionRecord } from '../notifications.store.js';
import { invalidParameter } from '../notification-arns.js';

export function arnScope(ctx: OperationContext): ArnScope {
  return { region: ctx.services.config.region, accountId: ctx.services.config.accountId };
}

/** The store, built per request on the shared database and bound to the request's clock. */
export function notificationsStore(ctx: OperationContext): NotificationsStore {
  return new NotificationsStore({ db: ctx.services.db, secrets: ctx.services.secrets, scope: arnScope(ctx), now: () => ctx.now.getTime() });
}

/** ARN members are checked by the operation, so a malformed one is SNS's InvalidParameterException rather than a schema error. */
export const arnMemberSchema = z.string().min(1).max(2048);

/** SNS attribute maps: attribute name to string value. */
export const attributeMapSchema = z.record(z.string().min(1).max(256), z.string().max(262_144));

/** SNS list operations answer pages of 100 and carry only NextToken. */
export const SNS_PAGE_SIZE = 100;
export const nextTokenSchema = z.string().min(1).max(8192).optional();

/** Where the previous page stopped; InvalidParameterException (SNS's answer) for a token not issued for this listing. */
export function pagePosition(token: string | undefined, listing: string): string | undefined {
  try {
    return decodeNextToken<string>(token, listing, 'string');
  } catch (err) {
    if (err instanceof ServiceError) throw invalidParameter('NextToken');
    throw err;
  }
}

/** Cuts a page from rows fetched with one row more than the page size. */
export function finishPage<T>(rows: T[], limit: number, listing: string, keyOf: (row: T) => string): { items: T[]; NextToken?: string } {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, NextToken: encodeNextToken(keyOf(items[items.length - 1]!), listing) };
}

/** SNS's `Subscription` structure. */
export function subscriptionShape(s: SubscriptionRecord, ctx: OperationContext) {
  return { SubscriptionArn: s.arn, Owner: ctx.services.config.accountId, Protocol: s.protocol, Endpoint: s.endpoint, TopicArn: s.topicArn };
}

/** Refuses attributes outside `supported`; SNS attributes Tend does not implement are named as such rather than called unknown. */
export function checkAttributeNames(attributes: Record<string, string>, supported: readonly string[], knownToSns: readonly string[]): void {
  for (const name of Object.keys(attributes)) {
    if (supported.includes(name)) continue;
    if (knownToSns.includes(name)) throw invalidParameter(`Attributes Reason: ${name} is not supported by Tend`);
    throw invalidParameter(`Attributes Reason: Unknown attribute ${name}`);
  }
}
