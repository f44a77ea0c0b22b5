import { afterAll, beforeAll, expect, it } from 'vitest';
import { ListComplianceSummariesCommand, ListResourceComplianceSummariesCommand, PutComplianceItemsCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase, startTestServer, type TestServer } from '../../../testing/test-server.js';
import { NOW, seedFleet, type SeededFleet } from '../patch-test-support.js';

const none = { CriticalCount: 0, HighCount: 0, MediumCount: 0, LowCount: 0, InformationalCount: 0, UnspecifiedCount: 0 };

describeEachDatabase('AmazonSSM.ListComplianceSummaries and ListResourceComplianceSummaries', (dialect) => {
  let t: TestServer;
  let fleet: SeededFleet;
  beforeAll(async () => {
    t = await startTestServer(dialect);
    fleet = await seedFleet(t);
    await t.ssm.send(
      new PutComplianceItemsCommand({
        ResourceId: fleet.db1,
        ResourceType: 'ManagedInstance',
        ComplianceType: 'Custom:Backups',
        ExecutionSummary: { ExecutionTime: new Date(NOW) },
        Items: [{ Id: 'nightly', Severity: 'MEDIUM', Status: 'COMPLIANT' }],
      }),
    );
  });
  afterAll(async () => t?.close());

  it('counts resources per compliance type by their overall severity', async () => {
    const out = await t.ssm.send(new ListComplianceSummariesCommand({}));
    expect(out.ComplianceSummaryItems).toEqual([
      {
        ComplianceType: 'Custom:Backups',
        CompliantSummary: { CompliantCount: 1, SeveritySummary: { ...none, MediumCount: 1 } },
        NonCompliantSummary: { NonCompliantCount: 0, SeveritySummary: none },
      },
      {
        // web1 and web2 (CRITICAL), db1 (HIGH); the deregistered node is not counted.
        ComplianceType: 'Patch',
        CompliantSummary: { CompliantCount: 0, SeveritySummary: none },
        NonCompliantSummary: { NonCompliantCount: 3, SeveritySummary: { ...none, CriticalCount: 2, HighCount: 1 } },
      },
    ]);
    const filtered = await t.ssm.send(new ListComplianceSummariesCommand({ Filters: [{ Key: 'ComplianceType', Values: ['Custom:'], Type: 'BEGIN_WITH' }] }));
    expect(filtered.ComplianceSummaryItems!.map((s) => s.ComplianceType)).toEqual(['Custom:Backups']);
  });

  it('answers one summary per resource and type, page by page', async () => {
    const all = [];
    let NextToken: string | undefined;
    do {
      const page = await t.ssm.send(new ListResourceComplianceSummariesCommand({ MaxResults: 2, NextToken }));
      all.push(...page.ResourceComplianceSummaryItems!);
      NextToken = page.NextToken;
    } while (NextToken);
    expect(all.map((s) => `${s.ResourceId}/${s.ComplianceType}`).sort()).toEqual([`${fleet.db1}/Custom:Backups`, `${fleet.db1}/Patch`, `${fleet.web1}/Patch`, `${fleet.web2}/Patch`].sort());
    expect(all.find((s) => s.ResourceId === fleet.web2 && s.ComplianceType === 'Patch')).toEqual({
      ComplianceType: 'Patch',
      ResourceType: 'ManagedInstance',
      ResourceId: fleet.web2,
      Status: 'NON_COMPLIANT',
      OverallSeverity: 'CRITICAL',
      ExecutionSummary: { ExecutionTime: new Date(NOW - 30_000), ExecutionId: 'aaaaaaaa-0000-0000-0000-000000000003', ExecutionType: 'Command' },
      CompliantSummary: { CompliantCount: 5, SeveritySummary: { ...none, CriticalCount: 1, UnspecifiedCount: 4 } },
      NonCompliantSummary: { NonCompliantCount: 2, SeveritySummary: { ...none, CriticalCount: 1, LowCount: 1 } },
    });
    const critical = await t.ssm.send(new ListResourceComplianceSummariesCommand({ Filters: [{ Key: 'OverallSeverity', Values: ['CRITICAL'] }] }));
    expect(critical.ResourceComplianceSummaryItems!.map((s) => s.ResourceId).sort()).toEqual([fleet.web1, fleet.web2].sort());
    await expect(t.ssm.send(new ListResourceComplianceSummariesCommand({ Filters: [{ Key: 'Colour', Values: ['x'] }] }))).rejects.toMatchObject({ name: 'InvalidFilter' });
  });
});
