import { afterAll, beforeAll, expect, it } from 'vitest';
import { DescribePatchGroupStateCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase, startTestServer, type TestServer } from '../../../testing/test-server.js';
import { seedFleet } from '../patch-test-support.js';

describeEachDatabase('AmazonSSM.DescribePatchGroupState', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
    await seedFleet(t);
  });
  afterAll(async () => t?.close());

  it("counts the group's nodes per patch state (the deregistered one left out)", async () => {
    const { $metadata: _m, ...web } = await t.ssm.send(new DescribePatchGroupStateCommand({ PatchGroup: 'web' }));
    expect(web).toEqual({
      Instances: 2,
      InstancesWithInstalledPatches: 1,
      InstancesWithInstalledOtherPatches: 2,
      InstancesWithInstalledPendingRebootPatches: 1,
      InstancesWithInstalledRejectedPatches: 0,
      InstancesWithMissingPatches: 1,
      InstancesWithFailedPatches: 1,
      InstancesWithNotApplicablePatches: 0,
      InstancesWithUnreportedNotApplicablePatches: 0,
      InstancesWithCriticalNonCompliantPatches: 2,
      InstancesWithSecurityNonCompliantPatches: 2,
      InstancesWithOtherNonCompliantPatches: 2,
      InstancesWithAvailableSecurityUpdates: 0,
    });
    const empty = await t.ssm.send(new DescribePatchGroupStateCommand({ PatchGroup: 'none' }));
    expect(empty.Instances).toBe(0);
  });
});
