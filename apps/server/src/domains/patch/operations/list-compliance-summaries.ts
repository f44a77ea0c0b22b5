import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { decodeNextToken, encodeNextToken, queryFingerprint } from '../../../rpc/page-token.js';
import { addSeverity, emptySeveritySummary, nodeIsGone, type SeveritySummary } from '../patch-compliance.store.js';
import { columnsFor, complianceCondition, complianceFilters, nextTokenField } from './compliance-common.js';
import { SUMMARY_COLUMNS } from './list-resource-compliance-summaries.js';

const input = z.object({
  Filters: complianceFilters,
  MaxResults: z.number().int().min(1).max(50).optional(),
  NextToken: nextTokenField,
});

/**
 * ListComplianceSummaries: per compliance type, how many resources are
 * compliant and how many are not, each split by the resources' overall
 * severity. Same filter keys as ListResourceComplianceSummaries, applied
 * to the resources before they are counted.
 */
export const listComplianceSummaries = defineOperation({
  service: 'AmazonSSM',
  name: 'ListComplianceSummaries',
  action: 'ssm:ListComplianceSummaries',
  input,
  mutating: false,
  resources: () => [],
  async run(i, ctx) {
    const conditions = columnsFor(i.Filters, SUMMARY_COLUMNS);
    const pageSize = i.MaxResults ?? 10;
    const fingerprint = queryFingerprint({ op: 'ListComplianceSummaries', f: i.Filters });
    const offset = decodeNextToken<number>(i.NextToken, fingerprint, 'number') ?? 0;
    let query = ctx.services.db
      .selectFrom('compliance_summaries')
      .select((eb) => ['compliance_type', 'status', 'overall_severity', eb.fn.countAll<number>().as('resources')])
      .where((eb) => eb.not(nodeIsGone('compliance_summaries.resource_id')));
    for (const { column, filter } of conditions) query = query.where((eb) => complianceCondition(eb, column, filter));
    const groups = await query.groupBy(['compliance_type', 'status', 'overall_severity']).execute();
    const byType = new Map<string, { compliant: number; nonCompliant: number; compliantSeverity: SeveritySummary; nonCompliantSeverity: SeveritySummary }>();
    for (const g of groups) {
      let entry = byType.get(g.compliance_type);
      if (!entry) byType.set(g.compliance_type, (entry = { compliant: 0, nonCompliant: 0, compliantSeverity: emptySeveritySummary(), nonCompliantSeverity: emptySeveritySummary() }));
      const n = Number(g.resources);
      if (g.status === 'COMPLIANT') {
        entry.compliant += n;
        addSeverity(entry.compliantSeverity, g.overall_severity, n);
      } else {
        entry.nonCompliant += n;
        addSeverity(entry.nonCompliantSeverity, g.overall_severity, n);
      }
    }
    const types = [...byType.keys()].sort();
    const page = types.slice(offset, offset + pageSize);
    return {
      ComplianceSummaryItems: page.map((type) => {
        const e = byType.get(type)!;
        return {
          ComplianceType: type,
          CompliantSummary: { CompliantCount: e.compliant, SeveritySummary: e.compliantSeverity },
          NonCompliantSummary: { NonCompliantCount: e.nonCompliant, SeveritySummary: e.nonCompliantSeverity },
        };
      }),
      ...(types.length > offset + pageSize ? { NextToken: encodeNextToken(offset + pageSize, fingerprint) } : {}),
    };
  },
});
