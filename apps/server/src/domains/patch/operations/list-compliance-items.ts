import { z } from 'zod';
import { ServiceError } from '../../../rpc/errors.js';
import { defineOperation } from '../../../rpc/operation.js';
import { decodeNextToken, encodeNextToken, queryFingerprint } from '../../../rpc/page-token.js';
import { MANAGED_INSTANCE_RESOURCE, nodeIsGone } from '../patch-compliance.store.js';
import { columnsFor, complianceCondition, complianceFilters, epochSeconds, nextTokenField } from './compliance-common.js';

const COLUMNS = {
  ComplianceType: 'i.compliance_type',
  Status: 'i.status',
  Severity: 'i.severity',
  Id: 'i.item_id',
  Title: 'i.title',
  ExecutionId: 's.execution_id',
  ExecutionType: 's.execution_type',
} as const;

const input = z.object({
  Filters: complianceFilters,
  ResourceIds: z.array(z.string().min(1).max(100)).min(1).max(50).optional(),
  ResourceTypes: z.array(z.string().min(1).max(50)).min(1).max(1).optional(),
  MaxResults: z.number().int().min(1).max(50).optional(),
  NextToken: nextTokenField,
});

/**
 * ListComplianceItems: the items of resources' compliance types (`Patch`
 * from patch reports, `Custom:…` from PutComplianceItems), each with the
 * execution that reported it. Filter keys: ComplianceType, Status,
 * Severity, Id, Title, ExecutionId, ExecutionType. Tend accepts several
 * ResourceIds (Systems Manager one) and none (every resource).
 */
export const listComplianceItems = defineOperation({
  service: 'AmazonSSM',
  name: 'ListComplianceItems',
  action: 'ssm:ListComplianceItems',
  input,
  mutating: false,
  resources: () => [],
  async run(i, ctx) {
    for (const type of i.ResourceTypes ?? []) {
      if (type !== MANAGED_INSTANCE_RESOURCE) throw new ServiceError('InvalidResourceType', `The resource type ${type} is not valid: ${MANAGED_INSTANCE_RESOURCE} is the only one`);
    }
    const conditions = columnsFor(i.Filters, COLUMNS);
    const pageSize = i.MaxResults ?? 10;
    const fingerprint = queryFingerprint({ op: 'ListComplianceItems', f: i.Filters, r: i.ResourceIds, t: i.ResourceTypes });
    const offset = decodeNextToken<number>(i.NextToken, fingerprint, 'number') ?? 0;
    let query = ctx.services.db
      .selectFrom('compliance_items as i')
      .innerJoin('compliance_summaries as s', (join) =>
        join.onRef('s.resource_type', '=', 'i.resource_type').onRef('s.resource_id', '=', 'i.resource_id').onRef('s.compliance_type', '=', 'i.compliance_type'),
      )
      .select(['i.resource_type', 'i.resource_id', 'i.compliance_type', 'i.item_id', 'i.title', 'i.status', 'i.severity', 'i.details', 's.execution_time', 's.execution_id', 's.execution_type'])
      .where((eb) => eb.not(nodeIsGone('i.resource_id')));
    if (i.ResourceIds) query = query.where('i.resource_id', 'in', i.ResourceIds);
    for (const { column, filter } of conditions) query = query.where((eb) => complianceCondition(eb, column, filter));
    const rows = await query
      .orderBy('i.resource_type')
      .orderBy('i.resource_id')
      .orderBy('i.compliance_type')
      .orderBy('i.item_key')
      .limit(pageSize + 1)
      .offset(offset)
      .execute();
    return {
      ComplianceItems: rows.slice(0, pageSize).map((row) => ({
        ComplianceType: row.compliance_type,
        ResourceType: row.resource_type,
        ResourceId: row.resource_id,
        ...(row.item_id !== null ? { Id: row.item_id } : {}),
        ...(row.title !== null ? { Title: row.title } : {}),
        Status: row.status,
        Severity: row.severity,
        ExecutionSummary: {
          ExecutionTime: epochSeconds(row.execution_time),
          ...(row.execution_id !== null ? { ExecutionId: row.execution_id } : {}),
          ...(row.execution_type !== null ? { ExecutionType: row.execution_type } : {}),
        },
        Details: row.details ? (JSON.parse(row.details) as Record<string, string>) : {},
      })),
      ...(rows.length > pageSize ? { NextToken: encodeNextToken(offset + pageSize, fingerprint) } : {}),
    };
  },
});
