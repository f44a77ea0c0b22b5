import { z } from 'zod';
import { ServiceError, validationError } from '../../../rpc/errors.js';
import { defineOperation } from '../../../rpc/operation.js';
import { managedInstanceArn } from '../../resource-groups/node-membership.js';
import { scopeOf } from '../../nodes/operations/node-operation.js';
import {
  COMPLIANCE_SEVERITIES,
  customComplianceTypes,
  MANAGED_INSTANCE_RESOURCE,
  mergeComplianceItems,
  replaceComplianceItems,
  storedContentHash,
  type ComplianceItemRow,
} from '../patch-compliance.store.js';

/** Custom compliance types per resource (Systems Manager's limit). */
export const MAX_CUSTOM_COMPLIANCE_TYPES = 10;
/** Tend's size limits: one item's JSON, and a request's items together. */
export const MAX_ITEM_BYTES = 64 * 1024;
export const MAX_TOTAL_ITEM_BYTES = 4 * 1024 * 1024;

const input = z.object({
  ResourceId: z.string().min(1).max(100),
  ResourceType: z.string().min(1).max(50),
  ComplianceType: z
    .string()
    .min(1)
    .max(100)
    .regex(/^([A-Za-z0-9_-]\w+|Custom:[a-zA-Z0-9_-]\w+)$/, 'Member must satisfy regular expression pattern: [A-Za-z0-9_\\-]\\w+|Custom:[a-zA-Z0-9_\\-]\\w+'),
  ExecutionSummary: z.object({
    ExecutionTime: z.number().nonnegative(),
    ExecutionId: z.string().max(100).optional(),
    ExecutionType: z.string().max(50).optional(),
  }),
  Items: z
    .array(
      z.object({
        Id: z.string().max(100).optional(),
        Title: z.string().max(500).optional(),
        Severity: z.enum(COMPLIANCE_SEVERITIES),
        Status: z.enum(['COMPLIANT', 'NON_COMPLIANT']),
        Details: z.record(z.string().min(1).max(64), z.string().max(4096)).optional(),
      }),
    )
    .max(10_000),
  ItemContentHash: z.string().max(256).optional(),
  UploadType: z.enum(['COMPLETE', 'PARTIAL']).optional(),
});

/**
 * PutComplianceItems: a custom compliance type's items for a managed node
 * (`Custom:…`; the `Patch` type is written by patch operations). COMPLETE
 * (the default) replaces the type's items; PARTIAL adds or replaces the
 * given items by Id and keeps the others. A request whose ItemContentHash
 * equals the stored one changes nothing.
 */
export const putComplianceItems = defineOperation({
  service: 'AmazonSSM',
  name: 'PutComplianceItems',
  action: 'ssm:PutComplianceItems',
  input,
  mutating: true,
  resources: (i, ctx) => [managedInstanceArn(scopeOf(ctx), i.ResourceId)],
  async run(i, ctx) {
    if (i.ResourceType !== MANAGED_INSTANCE_RESOURCE) throw new ServiceError('InvalidResourceType', `The resource type ${i.ResourceType} is not valid: ${MANAGED_INSTANCE_RESOURCE} is the only one`);
    if (!i.ComplianceType.startsWith('Custom:')) {
      throw validationError(`ComplianceType ${i.ComplianceType} is not one Tend accepts from clients: use Custom:<name> (Patch compliance is written by patch operations)`);
    }
    const db = ctx.services.db;
    const node = await db.selectFrom('managed_nodes').select('instance_id').where('instance_id', '=', i.ResourceId).where('deregistered_at', 'is', null).executeTakeFirst();
    if (!node) throw new ServiceError('InvalidResourceId', `The resource ID ${i.ResourceId} is not a managed node`);

    const partial = i.UploadType === 'PARTIAL';
    const keys = new Set<string>();
    let total = 0;
    const items: ComplianceItemRow[] = i.Items.map((item, index) => {
      if (partial && !item.Id) throw new ServiceError('InvalidItemContentException', 'Every item needs an Id with UploadType PARTIAL');
      const key = item.Id ?? `#${index}`;
      if (keys.has(key)) throw new ServiceError('InvalidItemContentException', `The item Id ${key} is given more than once`);
      keys.add(key);
      const size = Buffer.byteLength(JSON.stringify(item), 'utf8');
      if (size > MAX_ITEM_BYTES) throw new ServiceError('ItemSizeLimitExceededException', `Item ${key} is ${size} bytes; an item may have at most ${MAX_ITEM_BYTES}`);
      total += size;
      return { key, id: item.Id, title: item.Title, severity: item.Severity, status: item.Status, details: item.Details };
    });
    if (total > MAX_TOTAL_ITEM_BYTES) throw new ServiceError('TotalSizeLimitExceededException', `The items are ${total} bytes together; at most ${MAX_TOTAL_ITEM_BYTES} are accepted per resource and type`);

    const target = { resourceType: i.ResourceType, resourceId: i.ResourceId, complianceType: i.ComplianceType };
    const execution = { time: Math.round(i.ExecutionSummary.ExecutionTime * 1000), id: i.ExecutionSummary.ExecutionId, type: i.ExecutionSummary.ExecutionType };
    const now = ctx.now.getTime();
    await db.transaction().execute(async (trx) => {
      const types = await customComplianceTypes(trx, i.ResourceType, i.ResourceId);
      if (!types.includes(i.ComplianceType) && types.length >= MAX_CUSTOM_COMPLIANCE_TYPES) {
        throw new ServiceError('ComplianceTypeCountLimitExceededException', `You specified too many custom compliance types. You can specify a maximum of ${MAX_CUSTOM_COMPLIANCE_TYPES} different types.`);
      }
      if (i.ItemContentHash !== undefined && (await storedContentHash(trx, target)) === i.ItemContentHash) return;
      if (partial) await mergeComplianceItems(trx, target, items, execution, now, i.ItemContentHash);
      else await replaceComplianceItems(trx, target, items, execution, now, i.ItemContentHash);
    });
    return {};
  },
});
