import type { OperationContext } from '../../../rpc/operation.js';
import { epochSeconds } from '../../parameters/parameter-output.js';
import type { ArnScope } from '../../tags/tag-resource-types.js';
import { opsItemArn, type OperationalData } from '../ops-item-rules.js';
import { OpsItemsStore, type OpsItemRecord } from '../ops-items.store.js';
import { optionalMember as optional } from '../../../rpc/optional-member.js';

export function scopeOf(ctx: OperationContext): ArnScope {
  return { region: ctx.services.config.region, accountId: ctx.services.config.accountId };
}

/** The store, built per request on the shared database and bound to the request's clock. */
export function opsItemsStore(ctx: OperationContext): OpsItemsStore {
  return new OpsItemsStore({ db: ctx.services.db, dialect: ctx.services.dialect, scope: scopeOf(ctx), now: () => ctx.now.getTime() });
}

/** The ARN authorized for a call on one OpsItem (`*` for the account's OpsItems). */
export function arnOf(ctx: OperationContext, opsItemId: string): string {
  return opsItemArn(scopeOf(ctx), opsItemId);
}

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : epochSeconds(ms));

/** The members OpsItem and OpsItemSummary share. */
function sharedFields(item: OpsItemRecord) {
  return {
    OpsItemId: item.opsItemId,
    Title: item.title,
    Source: item.source,
    Status: item.status,
    OpsItemType: item.opsItemType,
    ...optional('Priority', item.priority),
    ...optional('Severity', item.severity),
    ...optional('Category', item.category),
    CreatedBy: item.createdBy,
    CreatedTime: epochSeconds(item.createdAt),
    LastModifiedBy: item.lastModifiedBy,
    LastModifiedTime: epochSeconds(item.modifiedAt),
    ...optional('PlannedStartTime', seconds(item.plannedStartTime)),
    ...optional('PlannedEndTime', seconds(item.plannedEndTime)),
    ...optional('ActualStartTime', seconds(item.actualStartTime)),
    ...optional('ActualEndTime', seconds(item.actualEndTime)),
  };
}

const nonEmpty = <T extends object>(value: T): T | undefined => (Object.keys(value).length ? value : undefined);

/** GetOpsItem's OpsItem: everything, to whoever may read the item. */
export function opsItemOutput(ctx: OperationContext, item: OpsItemRecord) {
  return {
    ...sharedFields(item),
    OpsItemArn: arnOf(ctx, item.opsItemId),
    Description: item.description,
    Version: String(item.version),
    ...optional('OperationalData', nonEmpty(item.operationalData)),
    ...optional('Notifications', item.notifications.length ? item.notifications : undefined),
    ...optional('RelatedOpsItems', item.relatedOpsItems.length ? item.relatedOpsItems : undefined),
  };
}

/** Only SearchableString data is shown in listings; String data is for those who open the item. */
export function searchableData(data: OperationalData): OperationalData {
  return Object.fromEntries(Object.entries(data).filter(([, v]) => v.Type === 'SearchableString'));
}

/** OpsItemSummary, as DescribeOpsItems lists it. */
export function opsItemSummary(item: OpsItemRecord) {
  return { ...sharedFields(item), ...optional('OperationalData', nonEmpty(searchableData(item.operationalData))) };
}
