import { afterAll, beforeAll, expect, it } from 'vitest';
import { CreatePatchBaselineCommand, DescribeEffectivePatchesForPatchBaselineCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, TEST_REGION, type TestServer } from '../../../testing/test-server.js';
import { DAY, NOW, seedFleet } from '../patch-test-support.js';

describeEachDatabase('AmazonSSM.DescribeEffectivePatchesForPatchBaseline', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
    await seedFleet(t);
  });
  afterAll(async () => t?.close());

  const effective = async (BaselineId: string) =>
    (await t.ssm.send(new DescribeEffectivePatchesForPatchBaselineCommand({ BaselineId }))).EffectivePatches!.map((e) => [e.Patch!.Id, e.PatchStatus!.DeploymentStatus, e.PatchStatus!.ComplianceLevel, e.PatchStatus!.ApprovalDate]);

  it("evaluates the fleet's catalog against a predefined baseline", async () => {
    expect(await effective(`arn:aws:ssm:${TEST_REGION}:${TEST_ACCOUNT}:patchbaseline/pb-0000000000000de01`)).toEqual([
      ['libssl3.amd64:3.0.13-1~deb12u1', 'APPROVED', 'UNSPECIFIED', new Date(NOW - 10 * DAY)],
      ['openssl.amd64:3.0.13-1~deb12u1', 'APPROVED', 'UNSPECIFIED', new Date(NOW - 10 * DAY)],
    ]);
    expect(await effective('pb-0000000000000e102')).toEqual([
      ['glibc.x86_64:2.34-100.el9', 'PENDING_APPROVAL', 'UNSPECIFIED', new Date(NOW - 2 * DAY + 7 * DAY)],
      ['kernel.x86_64:5.14.0-427.13.1.el9_4', 'APPROVED', 'UNSPECIFIED', new Date(NOW - 20 * DAY + 7 * DAY)],
      ['openssh.x86_64:8.7p1-38.el9', 'APPROVED', 'UNSPECIFIED', new Date(NOW - 30 * DAY + 7 * DAY)],
    ]);
  });

  it("shows a custom baseline's explicit decisions and delays", async () => {
    const { BaselineId } = await t.ssm.send(
      new CreatePatchBaselineCommand({
        Name: 'debian-slow',
        OperatingSystem: 'DEBIAN',
        ApprovalRules: { PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: 'PRIORITY', Values: ['Optional'] }] }, ApproveAfterDays: 30, ComplianceLevel: 'HIGH' }] },
        ApprovedPatches: ['bash'],
        ApprovedPatchesEnableNonSecurity: true,
        ApprovedPatchesComplianceLevel: 'MEDIUM',
        RejectedPatches: ['curl'],
      }),
    );
    expect(await effective(BaselineId!)).toEqual([
      ['bash.amd64:5.2.15-2+b2', 'EXPLICIT_APPROVED', 'MEDIUM', undefined],
      ['curl.amd64:7.88.1-10+deb12u5', 'EXPLICIT_REJECTED', 'UNSPECIFIED', undefined],
      ['libssl3.amd64:3.0.13-1~deb12u1', 'PENDING_APPROVAL', 'UNSPECIFIED', new Date(NOW + 20 * DAY)],
      ['openssl.amd64:3.0.13-1~deb12u1', 'PENDING_APPROVAL', 'UNSPECIFIED', new Date(NOW + 20 * DAY)],
    ]);
  });

  it('answers DoesNotExistException for an unknown baseline', async () => {
    await expect(effective('pb-0123456789abcdef9')).rejects.toMatchObject({ name: 'DoesNotExistException' });
  });
});
