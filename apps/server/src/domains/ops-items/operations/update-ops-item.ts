import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { signalOutboxWritten } from '../../../events/outbox-signal.js';
import {
  categorySchema,
  checkOperationalData,
  checkSeverity,
  descriptionSchema,
  invalidOpsItemParameter,
  notificationsSchema,
  operationalDataSchema,
  opsItemArnSchema,
  opsItemIdSchema,
  prioritySchema,
  relatedOpsItemsSchema,
  severitySchema,
  statusSchema,
  storedTime,
  timestampSchema,
  titleSchema,
  type OperationalData,
} from '../ops-item-rules.js';
import type { OpsItemFields, OpsItemRecord } from '../ops-items.store.js';
import { arnOf, opsItemsStore } from './common.js';

const input = z.object({
  OpsItemId: opsItemIdSchema,
  OpsItemArn: opsItemArnSchema.optional(),
  Status: statusSchema.optional(),
  Title: titleSchema.optional(),
  Description: descriptionSchema.optional(),
  Priority: prioritySchema.optional(),
  Severity: severitySchema.optional(),
  Category: categorySchema.optional(),
  OperationalData: operationalDataSchema.optional(),
  OperationalDataToDelete: z.array(z.string().min(1).max(128)).optional(),
  Notifications: notificationsSchema.optional(),
  RelatedOpsItems: relatedOpsItemsSchema.optional(),
  ActualStartTime: timestampSchema.optional(),
  ActualEndTime: timestampSchema.optional(),
  PlannedStartTime: timestampSchema.optional(),
  PlannedEndTime: timestampSchema.optional(),
});
type Input = z.infer<typeof input>;

/** OperationalData after the update: given keys are added or replaced, then the deleted ones removed. */
function mergedData(current: OperationalData, i: Input): OperationalData {
  const toDelete = new Set(i.OperationalDataToDelete ?? []);
  const both = Object.keys(i.OperationalData ?? {}).filter((k) => toDelete.has(k));
  if (both.length) throw invalidOpsItemParameter(['OperationalData', 'OperationalDataToDelete'], `Keys both set and deleted in one call: ${both.join(', ')}.`);
  const merged = { ...current, ...i.OperationalData };
  for (const key of toDelete) delete merged[key];
  return merged;
}

/** The item as the update leaves it: members not given keep their value; Notifications and RelatedOpsItems given replace the lists. */
function updated(current: OpsItemRecord, i: Input): OpsItemFields {
  return {
    title: i.Title ?? current.title,
    description: i.Description ?? current.description,
    source: current.source,
    opsItemType: current.opsItemType,
    status: i.Status ?? current.status,
    priority: i.Priority ?? current.priority,
    severity: i.Severity ?? current.severity,
    category: i.Category ?? current.category,
    operationalData: mergedData(current.operationalData, i),
    notifications: i.Notifications ?? current.notifications,
    relatedOpsItems: i.RelatedOpsItems ?? current.relatedOpsItems,
    plannedStartTime: storedTime(i.PlannedStartTime) ?? current.plannedStartTime,
    plannedEndTime: storedTime(i.PlannedEndTime) ?? current.plannedEndTime,
    actualStartTime: storedTime(i.ActualStartTime) ?? current.actualStartTime,
    actualEndTime: storedTime(i.ActualEndTime) ?? current.actualEndTime,
  };
}

/**
 * UpdateOpsItem: edits an item and bumps its version. A status change is
 * told to the item's topics (the list as the update leaves it); moving an
 * item to a finished status (Resolved, Closed, …) frees its dedup string.
 */
export const updateOpsItem = defineOperation({
  service: 'AmazonSSM',
  name: 'UpdateOpsItem',
  action: 'ssm:UpdateOpsItem',
  input,
  mutating: true,
  resources: (i, ctx) => [arnOf(ctx, i.OpsItemId)],
  async run(i, ctx) {
    if (i.OpsItemArn !== undefined && i.OpsItemArn !== arnOf(ctx, i.OpsItemId)) {
      throw invalidOpsItemParameter(['OpsItemArn'], `OpsItemArn ${i.OpsItemArn} does not name OpsItem ${i.OpsItemId} of this account and region.`);
    }
    checkSeverity(i.Severity);
    if (i.OperationalData) checkOperationalData(i.OperationalData);
    await opsItemsStore(ctx).update(i.OpsItemId, ctx.caller.arn, (current) => updated(current, i));
    signalOutboxWritten();
    return {};
  },
});
