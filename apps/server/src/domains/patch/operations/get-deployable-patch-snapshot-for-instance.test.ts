import { afterAll, beforeAll, expect, it } from 'vitest';
import { AddTagsToResourceCommand, CreatePatchBaselineCommand, GetDeployablePatchSnapshotForInstanceCommand, RegisterPatchBaselineForPatchGroupCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, TEST_REGION, type TestServer } from '../../../testing/test-server.js';
import { createTestActivation, registerTestNode } from '../../nodes/node-test-support.js';
import { testNodeInfo } from '../../../gateway/test-agent.js';
import { seedFleet, type SeededFleet } from '../patch-test-support.js';

const SNAPSHOT = '6f0c8a4e-2b1d-4c3e-9f5a-1a2b3c4d5e6f';

function snapshotOf(url: string | undefined): any {
  expect(url).toMatch(/^data:application\/json;base64,/);
  return JSON.parse(Buffer.from(url!.slice(url!.indexOf(',') + 1), 'base64').toString('utf8'));
}

describeEachDatabase('AmazonSSM.GetDeployablePatchSnapshotForInstance', (dialect) => {
  let t: TestServer;
  let fleet: SeededFleet;
  beforeAll(async () => {
    t = await startTestServer(dialect);
    fleet = await seedFleet(t);
  });
  afterAll(async () => t?.close());

  it("answers the OS default baseline inline for a node in no group", async () => {
    const out = await t.ssm.send(new GetDeployablePatchSnapshotForInstanceCommand({ InstanceId: fleet.db1, SnapshotId: SNAPSHOT }));
    expect(out).toMatchObject({ InstanceId: fleet.db1, SnapshotId: SNAPSHOT, Product: 'RockyLinux9.3' });
    const snapshot = snapshotOf(out.SnapshotDownloadUrl);
    expect(snapshot).toMatchObject({ SnapshotId: SNAPSHOT, BaselineId: `arn:aws:ssm:${TEST_REGION}:${TEST_ACCOUNT}:patchbaseline/pb-0000000000000e102`, OperatingSystem: 'ROCKY_LINUX' });
    expect(snapshot.Baseline.ApprovalRules.PatchRules).toHaveLength(2);
  });

  it("answers the patch group's baseline, and a BaselineOverride as given", async () => {
    const { BaselineId } = await t.ssm.send(
      new CreatePatchBaselineCommand({ Name: 'web-debian', OperatingSystem: 'DEBIAN', ApprovedPatches: ['openssl'], ApprovedPatchesEnableNonSecurity: true }),
    );
    await t.ssm.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId, PatchGroup: 'web' }));
    await t.ssm.send(new AddTagsToResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: fleet.web1, Tags: [{ Key: 'Patch Group', Value: 'web' }] }));
    const grouped = snapshotOf((await t.ssm.send(new GetDeployablePatchSnapshotForInstanceCommand({ InstanceId: fleet.web1, SnapshotId: SNAPSHOT }))).SnapshotDownloadUrl);
    expect(grouped).toMatchObject({ BaselineId, PatchGroup: 'web', OperatingSystem: 'DEBIAN', Product: 'Debian12', Baseline: { ApprovedPatches: ['openssl'] } });

    const override = snapshotOf(
      (await t.ssm.send(new GetDeployablePatchSnapshotForInstanceCommand({ InstanceId: fleet.web1, SnapshotId: SNAPSHOT, BaselineOverride: { RejectedPatches: ['curl'] } }))).SnapshotDownloadUrl,
    );
    expect(override).toMatchObject({ BaselineOverride: true, OperatingSystem: 'DEBIAN', Baseline: { RejectedPatches: ['curl'] } });
  });

  it('refuses unknown nodes and operating systems Tend does not patch', async () => {
    await expect(t.ssm.send(new GetDeployablePatchSnapshotForInstanceCommand({ InstanceId: fleet.gone, SnapshotId: SNAPSHOT }))).rejects.toMatchObject({ name: 'InvalidInstanceId' });
    const activation = await createTestActivation(t);
    const { instanceId } = await registerTestNode(t, activation, { info: testNodeInfo({ platformType: 'Windows', platformName: 'Windows Server', platformVersion: '2022' }) });
    await expect(t.ssm.send(new GetDeployablePatchSnapshotForInstanceCommand({ InstanceId: instanceId, SnapshotId: SNAPSHOT }))).rejects.toMatchObject({ name: 'UnsupportedOperatingSystem' });
    await expect(t.ssm.send(new GetDeployablePatchSnapshotForInstanceCommand({ InstanceId: fleet.db1, SnapshotId: 'not-a-uuid' }))).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
