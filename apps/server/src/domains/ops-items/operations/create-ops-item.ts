import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { ServiceError } from '../../../rpc/errors.js';
import { MAX_TAGS_PER_RESOURCE, tagListSchema } from '../../tags/tag-rules.js';
import {
  DEFAULT_OPS_ITEM_TYPE,
  categorySchema,
  checkOperationalData,
  checkSeverity,
  checkSource,
  descriptionSchema,
  newOpsItemId,
  notificationsSchema,
  operationalDataSchema,
  prioritySchema,
  relatedOpsItemsSchema,
  severitySchema,
  sourceSchema,
  storedTime,
  timestampSchema,
  titleSchema,
} from '../ops-item-rules.js';
import { signalOutboxWritten } from '../../../events/outbox-signal.js';
import { arnOf, opsItemsStore } from './common.js';

const input = z.object({
  Title: titleSchema,
  Description: descriptionSchema,
  Source: sourceSchema,
  OpsItemType: z.string().min(1).max(256).optional(),
  OperationalData: operationalDataSchema.optional(),
  Notifications: notificationsSchema.optional(),
  Priority: prioritySchema.optional(),
  RelatedOpsItems: relatedOpsItemsSchema.optional(),
  // An empty list is the same as none.
  Tags: z.preprocess((v) => (Array.isArray(v) && v.length === 0 ? undefined : v), tagListSchema(MAX_TAGS_PER_RESOURCE).optional()),
  Category: categorySchema.optional(),
  Severity: severitySchema.optional(),
  ActualStartTime: timestampSchema.optional(),
  ActualEndTime: timestampSchema.optional(),
  PlannedStartTime: timestampSchema.optional(),
  PlannedEndTime: timestampSchema.optional(),
  // Cross-account OpsItems do not exist in Tend: the member is checked for shape and otherwise ignored.
  AccountId: z.string().regex(/^[0-9]{12}$/, 'Member must satisfy regular expression pattern: ^[0-9]{12}$').optional(),
});

/**
 * CreateOpsItem: an Open ticket. Its topics hear of it in the same
 * transaction; an open item with the same `/aws/dedup` string answers
 * OpsItemAlreadyExistsException naming that item instead.
 */
export const createOpsItem = defineOperation({
  service: 'AmazonSSM',
  name: 'CreateOpsItem',
  action: 'ssm:CreateOpsItem',
  input,
  mutating: true,
  // The id is not known before the call: the action applies to the account's OpsItems.
  resources: (_i, ctx) => [arnOf(ctx, '*')],
  async run(i, ctx) {
    checkSource(i.Source);
    checkSeverity(i.Severity);
    const operationalData = i.OperationalData ?? {};
    checkOperationalData(operationalData);
    const opsItemId = newOpsItemId();
    const opsItemArn = arnOf(ctx, opsItemId);
    // Tagging at creation needs the tagging permission too, as Systems Manager documents.
    if (i.Tags && !ctx.isAllowed('ssm:AddTagsToResource', opsItemArn)) {
      throw new ServiceError('AccessDeniedException', `User: ${ctx.caller.arn} is not authorized to perform: ssm:AddTagsToResource on resource: ${opsItemArn}`);
    }
    await opsItemsStore(ctx).create({
      opsItemId,
      caller: ctx.caller.arn,
      tags: i.Tags ?? [],
      fields: {
        title: i.Title,
        description: i.Description,
        source: i.Source,
        opsItemType: i.OpsItemType ?? DEFAULT_OPS_ITEM_TYPE,
        status: 'Open',
        priority: i.Priority,
        severity: i.Severity,
        category: i.Category,
        operationalData,
        notifications: i.Notifications ?? [],
        relatedOpsItems: i.RelatedOpsItems ?? [],
        plannedStartTime: storedTime(i.PlannedStartTime),
        plannedEndTime: storedTime(i.PlannedEndTime),
        actualStartTime: storedTime(i.ActualStartTime),
        actualEndTime: storedTime(i.ActualEndTime),
      },
    });
    signalOutboxWritten();
    return { OpsItemId: opsItemId, OpsItemArn: opsItemArn };
  },
});
