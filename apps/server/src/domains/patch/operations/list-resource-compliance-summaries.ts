import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { decodeNextToken, encodeNextToken, queryFingerprint } from '../../../rpc/page-token.js';
import { nodeIsGone } from '../patch-compliance.store.js';
import { columnsFor, complianceCondition, complianceFilters, epochSeconds, nextTokenField } from './compliance-common.js';

/** Filter keys of the summaries (ListResourceComplianceSummaries and ListComplianceSummaries). */
export const SUMMARY_COLUMNS = {
  ComplianceType: 'compliance_type',
  Status: 'status',
  OverallSeverity: 'overall_severity',
  ResourceId: 'resource_id',
  ResourceType: 'resource_type',
  ExecutionId: 'execution_id',
  ExecutionType: 'execution_type',
} as const;

const input = z.object({
  Filters: complianceFilters,
  MaxResults: z.number().int().min(1).max(50).optional(),
  NextToken: nextTokenField,
});

/**
 * ListResourceComplianceSummaries: per resource and compliance type, its
 * status, its highest severity and the counts of compliant and
 * non-compliant items by severity. Deregistered nodes are left out.
 */
export const listResourceComplianceSummaries = defineOperation({
  service: 'AmazonSSM',
  name: 'ListResourceComplianceSummaries',
  action: 'ssm:ListResourceComplianceSummaries',
  input,
  mutating: false,
  resources: () => [],
  async run(i, ctx) {
    const conditions = columnsFor(i.Filters, SUMMARY_COLUMNS);
    const pageSize = i.MaxResults ?? 10;
    const fingerprint = queryFingerprint({ op: 'ListResourceComplianceSummaries', f: i.Filters });
    const offset = decodeNextToken<number>(i.NextToken, fingerprint, 'number') ?? 0;
    let query = ctx.services.db
      .selectFrom('compliance_summaries')
      .selectAll()
      .where((eb) => eb.not(nodeIsGone('compliance_summaries.resource_id')));
    for (const { column, filter } of conditions) query = query.where((eb) => complianceCondition(eb, column, filter));
    const rows = await query.orderBy('resource_type').orderBy('resource_id').orderBy('compliance_type').limit(pageSize + 1).offset(offset).execute();
    return {
      ResourceComplianceSummaryItems: rows.slice(0, pageSize).map((row) => ({
        ComplianceType: row.compliance_type,
        ResourceType: row.resource_type,
        ResourceId: row.resource_id,
        Status: row.status,
        OverallSeverity: row.overall_severity,
        ExecutionSummary: {
          ExecutionTime: epochSeconds(row.execution_time),
          ...(row.execution_id !== null ? { ExecutionId: row.execution_id } : {}),
          ...(row.execution_type !== null ? { ExecutionType: row.execution_type } : {}),
        },
        CompliantSummary: { CompliantCount: row.compliant_count, SeveritySummary: JSON.parse(row.compliant_severities) },
        NonCompliantSummary: { NonCompliantCount: row.non_compliant_count, SeveritySummary: JSON.parse(row.non_compliant_severities) },
      })),
      ...(rows.length > pageSize ? { NextToken: encodeNextToken(offset + pageSize, fingerprint) } : {}),
    };
  },
});
