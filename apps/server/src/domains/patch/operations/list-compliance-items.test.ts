import { afterAll, beforeAll, expect, it } from 'vitest';
import { ListComplianceItemsCommand, PutComplianceItemsCommand, type ComplianceStringFilter } from '@aws-sdk/client-ssm';
import { describeEachDatabase, startTestServer, type TestServer } from '../../../testing/test-server.js';
import { NOW, seedFleet, type SeededFleet } from '../patch-test-support.js';

describeEachDatabase('AmazonSSM.ListComplianceItems', (dialect) => {
  let t: TestServer;
  let fleet: SeededFleet;
  beforeAll(async () => {
    t = await startTestServer(dialect);
    fleet = await seedFleet(t);
    await t.ssm.send(
      new PutComplianceItemsCommand({
        ResourceId: fleet.web1,
        ResourceType: 'ManagedInstance',
        ComplianceType: 'Custom:Firewall',
        ExecutionSummary: { ExecutionTime: new Date(NOW) },
        Items: [{ Id: 'ssh-open', Title: 'SSH open to the world', Severity: 'HIGH', Status: 'NON_COMPLIANT' }],
      }),
    );
  });
  afterAll(async () => t?.close());

  async function list(ResourceIds: string[] | undefined, Filters?: ComplianceStringFilter[]) {
    const out = [];
    let NextToken: string | undefined;
    do {
      const page = await t.ssm.send(new ListComplianceItemsCommand({ ResourceIds, ResourceTypes: ['ManagedInstance'], Filters, MaxResults: 4, NextToken }));
      out.push(...page.ComplianceItems!);
      NextToken = page.NextToken;
    } while (NextToken);
    return out;
  }

  it("lists a node's Patch items from its last report, with the command that reported them", async () => {
    const patch = await list([fleet.web2], [{ Key: 'ComplianceType', Values: ['Patch'] }]);
    expect(patch).toHaveLength(7);
    expect(patch.find((i) => i.Id === 'libssl3.amd64')).toEqual({
      ComplianceType: 'Patch',
      ResourceType: 'ManagedInstance',
      ResourceId: fleet.web2,
      Id: 'libssl3.amd64',
      Title: 'libssl3.amd64:3.0.13-1~deb12u1',
      Status: 'NON_COMPLIANT',
      Severity: 'CRITICAL',
      ExecutionSummary: { ExecutionTime: new Date(NOW - 30_000), ExecutionId: 'aaaaaaaa-0000-0000-0000-000000000003', ExecutionType: 'Command' },
      Details: {
        PatchState: 'INSTALLED_PENDING_REBOOT',
        PatchSeverity: 'Optional',
        Classification: 'libs',
        PatchBaselineId: 'pb-0123456789abcdef0',
        PatchGroup: 'web',
        DocumentName: 'AWS-RunPatchBaseline',
        InstalledTime: new Date(NOW - 20_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
    });
  });

  it('filters with EQUAL, NOT_EQUAL and BEGIN_WITH', async () => {
    const nonCompliant = await list([fleet.web1], [{ Key: 'Status', Values: ['NON_COMPLIANT'], Type: 'EQUAL' }]);
    expect(nonCompliant.map((i) => `${i.ComplianceType}/${i.Id}`)).toEqual(['Custom:Firewall/ssh-open', 'Patch/libssl3.amd64', 'Patch/openssl.amd64', 'Patch/tzdata.all']);
    expect((await list([fleet.web1], [{ Key: 'ComplianceType', Values: ['Patch'], Type: 'NOT_EQUAL' }])).map((i) => i.Id)).toEqual(['ssh-open']);
    expect((await list([fleet.web1], [{ Key: 'Id', Values: ['lib'], Type: 'BEGIN_WITH' }])).map((i) => i.Id)).toEqual(['libc6.amd64', 'libssl3.amd64']);
    expect((await list(undefined, [{ Key: 'Severity', Values: ['CRITICAL'] }, { Key: 'ComplianceType', Values: ['Patch'] }])).map((i) => i.ResourceId).sort()).toEqual(
      [fleet.web1, fleet.web1, fleet.web2, fleet.web2].sort(),
    );
  });

  it("leaves out deregistered nodes' items", async () => {
    expect(await list([fleet.gone])).toEqual([]);
  });

  it('refuses unknown filter keys and resource types', async () => {
    await expect(list([fleet.web1], [{ Key: 'Colour', Values: ['x'] }])).rejects.toMatchObject({ name: 'InvalidFilter' });
    await expect(t.ssm.send(new ListComplianceItemsCommand({ ResourceIds: [fleet.web1], ResourceTypes: ['Document'] }))).rejects.toMatchObject({ name: 'InvalidResourceType' });
  });
});
