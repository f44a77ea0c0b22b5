import { afterAll, beforeAll, expect, it } from 'vitest';
import { ListComplianceItemsCommand, ListResourceComplianceSummariesCommand, PutComplianceItemsCommand, type ComplianceItemEntry } from '@aws-sdk/client-ssm';
import { describeEachDatabase, startTestServer, type TestServer } from '../../../testing/test-server.js';
import { seedFleet, type SeededFleet } from '../patch-test-support.js';

describeEachDatabase('AmazonSSM.PutComplianceItems', (dialect) => {
  let t: TestServer;
  let fleet: SeededFleet;
  const at = new Date('2025-06-01T10:00:00Z');
  beforeAll(async () => {
    t = await startTestServer(dialect);
    fleet = await seedFleet(t);
  });
  afterAll(async () => t?.close());

  const put = (ResourceId: string, ComplianceType: string, Items: ComplianceItemEntry[], extra: Partial<ConstructorParameters<typeof PutComplianceItemsCommand>[0]> = {}) =>
    t.ssm.send(new PutComplianceItemsCommand({ ResourceId, ResourceType: 'ManagedInstance', ComplianceType, ExecutionSummary: { ExecutionTime: at, ExecutionId: 'run-1', ExecutionType: 'Command' }, Items, ...extra }));
  const items = async (ResourceId: string, ComplianceType: string) =>
    (await t.ssm.send(new ListComplianceItemsCommand({ ResourceIds: [ResourceId], ResourceTypes: ['ManagedInstance'], Filters: [{ Key: 'ComplianceType', Values: [ComplianceType] }], MaxResults: 50 }))).ComplianceItems!;
  const summary = async (ResourceId: string, ComplianceType: string) =>
    (
      await t.ssm.send(
        new ListResourceComplianceSummariesCommand({ Filters: [{ Key: 'ResourceId', Values: [ResourceId] }, { Key: 'ComplianceType', Values: [ComplianceType] }] }),
      )
    ).ResourceComplianceSummaryItems![0];

  it('stores a custom type COMPLETE: the next put replaces every item', async () => {
    await put(fleet.web1, 'Custom:DiskEncryption', [
      { Id: 'root', Title: 'Root volume encrypted', Severity: 'HIGH', Status: 'COMPLIANT', Details: { Device: '/dev/sda' } },
      { Id: 'data', Title: 'Data volume encrypted', Severity: 'CRITICAL', Status: 'NON_COMPLIANT' },
    ]);
    expect(await items(fleet.web1, 'Custom:DiskEncryption')).toEqual([
      {
        ComplianceType: 'Custom:DiskEncryption',
        ResourceType: 'ManagedInstance',
        ResourceId: fleet.web1,
        Id: 'data',
        Title: 'Data volume encrypted',
        Status: 'NON_COMPLIANT',
        Severity: 'CRITICAL',
        ExecutionSummary: { ExecutionTime: at, ExecutionId: 'run-1', ExecutionType: 'Command' },
        Details: {},
      },
      expect.objectContaining({ Id: 'root', Status: 'COMPLIANT', Details: { Device: '/dev/sda' } }),
    ]);
    expect(await summary(fleet.web1, 'Custom:DiskEncryption')).toMatchObject({ Status: 'NON_COMPLIANT', OverallSeverity: 'CRITICAL' });

    await put(fleet.web1, 'Custom:DiskEncryption', [{ Id: 'root', Severity: 'HIGH', Status: 'COMPLIANT' }]);
    expect((await items(fleet.web1, 'Custom:DiskEncryption')).map((i) => i.Id)).toEqual(['root']);
    expect(await summary(fleet.web1, 'Custom:DiskEncryption')).toMatchObject({ Status: 'COMPLIANT', OverallSeverity: 'HIGH', CompliantSummary: { CompliantCount: 1 } });
  });

  it('merges PARTIAL uploads by Id', async () => {
    await put(fleet.web2, 'Custom:Agents', [
      { Id: 'av', Severity: 'MEDIUM', Status: 'COMPLIANT' },
      { Id: 'edr', Severity: 'HIGH', Status: 'COMPLIANT' },
    ]);
    await put(fleet.web2, 'Custom:Agents', [{ Id: 'edr', Severity: 'HIGH', Status: 'NON_COMPLIANT' }], { UploadType: 'PARTIAL' });
    expect((await items(fleet.web2, 'Custom:Agents')).map((i) => [i.Id, i.Status])).toEqual([
      ['av', 'COMPLIANT'],
      ['edr', 'NON_COMPLIANT'],
    ]);
    await expect(put(fleet.web2, 'Custom:Agents', [{ Severity: 'LOW', Status: 'COMPLIANT' }], { UploadType: 'PARTIAL' })).rejects.toMatchObject({ name: 'InvalidItemContentException' });
  });

  it('ignores a put whose ItemContentHash is the stored one', async () => {
    await put(fleet.db1, 'Custom:Backups', [{ Id: 'nightly', Severity: 'HIGH', Status: 'COMPLIANT' }], { ItemContentHash: 'h1' });
    await put(fleet.db1, 'Custom:Backups', [{ Id: 'nightly', Severity: 'HIGH', Status: 'NON_COMPLIANT' }], { ItemContentHash: 'h1' });
    expect((await items(fleet.db1, 'Custom:Backups'))[0]!.Status).toBe('COMPLIANT');
    await put(fleet.db1, 'Custom:Backups', [{ Id: 'nightly', Severity: 'HIGH', Status: 'NON_COMPLIANT' }], { ItemContentHash: 'h2' });
    expect((await items(fleet.db1, 'Custom:Backups'))[0]!.Status).toBe('NON_COMPLIANT');
  });

  it('refuses what Systems Manager refuses', async () => {
    await expect(put(fleet.web1, 'Patch', [])).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(put(fleet.web1, 'Custom:bad type!', [])).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(put(fleet.gone, 'Custom:X1', [])).rejects.toMatchObject({ name: 'InvalidResourceId' });
    await expect(put('mi-0123456789abcdef0', 'Custom:X1', [])).rejects.toMatchObject({ name: 'InvalidResourceId' });
    await expect(put(fleet.web1, 'Custom:X1', [], { ResourceType: 'Document' })).rejects.toMatchObject({ name: 'InvalidResourceType' });
    await expect(put(fleet.web1, 'Custom:X1', [{ Id: 'a', Severity: 'LOW', Status: 'COMPLIANT' }, { Id: 'a', Severity: 'LOW', Status: 'COMPLIANT' }])).rejects.toMatchObject({ name: 'InvalidItemContentException' });
    await expect(put(fleet.web1, 'Custom:X1', [{ Id: 'big', Severity: 'LOW', Status: 'COMPLIANT', Details: Object.fromEntries(Array.from({ length: 20 }, (_, k) => [`k${k}`, 'x'.repeat(4000)])) }])).rejects.toMatchObject({ name: 'ItemSizeLimitExceededException' });
    for (let k = 0; k < 10; k++) await put(fleet.quiet, `Custom:Type${k}`, [{ Id: 'a', Severity: 'LOW', Status: 'COMPLIANT' }]);
    await put(fleet.quiet, 'Custom:Type3', []);
    await expect(put(fleet.quiet, 'Custom:Type10', [])).rejects.toMatchObject({ name: 'ComplianceTypeCountLimitExceededException' });
  });
});
