import { afterAll, beforeAll, expect, it } from 'vitest';
import { DescribeInstancePatchStatesCommand, DescribeInstancePatchStatesForPatchGroupCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase, startTestServer, type TestServer } from '../../../testing/test-server.js';
import { NOW, seedFleet, type SeededFleet } from '../patch-test-support.js';

describeEachDatabase('AmazonSSM.DescribeInstancePatchStates', (dialect) => {
  let t: TestServer;
  let fleet: SeededFleet;
  beforeAll(async () => {
    t = await startTestServer(dialect);
    fleet = await seedFleet(t);
  });
  afterAll(async () => t?.close());

  it("answers each reported node's InstancePatchState", async () => {
    const out = await t.ssm.send(new DescribeInstancePatchStatesCommand({ InstanceIds: [fleet.web2, fleet.web1, fleet.quiet] }));
    expect(out.InstancePatchStates!.map((s) => s.InstanceId)).toEqual([fleet.web1, fleet.web2].sort());
    const web2 = out.InstancePatchStates!.find((s) => s.InstanceId === fleet.web2)!;
    expect(web2).toEqual({
      InstanceId: fleet.web2,
      PatchGroup: 'web',
      BaselineId: 'pb-0123456789abcdef0',
      InstalledCount: 1,
      InstalledOtherCount: 4,
      InstalledPendingRebootCount: 1,
      InstalledRejectedCount: 0,
      MissingCount: 0,
      FailedCount: 1,
      NotApplicableCount: 0,
      UnreportedNotApplicableCount: 0,
      CriticalNonCompliantCount: 1,
      SecurityNonCompliantCount: 1,
      OtherNonCompliantCount: 1,
      OperationStartTime: new Date(NOW - 60_000),
      OperationEndTime: new Date(NOW - 30_000),
      Operation: 'Install',
      LastNoRebootInstallOperationTime: new Date(NOW - 30_000),
      RebootOption: 'NoReboot',
    });
  });

  it('leaves deregistered nodes out', async () => {
    const out = await t.ssm.send(new DescribeInstancePatchStatesCommand({ InstanceIds: [fleet.gone] }));
    expect(out.InstancePatchStates).toEqual([]);
  });

  it('pages', async () => {
    const ids = [fleet.web1, fleet.web2, fleet.db1];
    const first = await t.ssm.send(new DescribeInstancePatchStatesCommand({ InstanceIds: ids, MaxResults: 10 }));
    expect(first.InstancePatchStates).toHaveLength(3);
    expect(first.NextToken).toBeUndefined();
    await expect(t.ssm.send(new DescribeInstancePatchStatesCommand({ InstanceIds: ids, MaxResults: 5 }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(t.ssm.send(new DescribeInstancePatchStatesCommand({ InstanceIds: ids, NextToken: 'garbage' }))).rejects.toMatchObject({ name: 'InvalidNextToken' });
  });
});

describeEachDatabase('AmazonSSM.DescribeInstancePatchStatesForPatchGroup', (dialect) => {
  let t: TestServer;
  let fleet: SeededFleet;
  beforeAll(async () => {
    t = await startTestServer(dialect);
    fleet = await seedFleet(t);
  });
  afterAll(async () => t?.close());

  const ids = async (PatchGroup: string, Filters?: { Key: string; Values: string[]; Type: 'Equal' | 'NotEqual' | 'LessThan' | 'GreaterThan' }[]) =>
    (await t.ssm.send(new DescribeInstancePatchStatesForPatchGroupCommand({ PatchGroup, Filters }))).InstancePatchStates!.map((s) => s.InstanceId);

  it('lists the nodes of a group, filtered on their counts', async () => {
    expect(await ids('web')).toEqual([fleet.web1, fleet.web2].sort());
    expect(await ids('db')).toEqual([fleet.db1]);
    expect(await ids('nobody')).toEqual([]);
    expect(await ids('web', [{ Key: 'MissingCount', Values: ['0'], Type: 'GreaterThan' }])).toEqual([fleet.web1]);
    expect(await ids('web', [{ Key: 'InstalledPendingRebootCount', Values: ['1'], Type: 'Equal' }])).toEqual([fleet.web2]);
    expect(await ids('web', [{ Key: 'FailedCount', Values: ['0'], Type: 'NotEqual' }, { Key: 'InstalledCount', Values: ['2'], Type: 'LessThan' }])).toEqual([fleet.web2]);
    expect(await ids('web', [{ Key: 'UnreportedNotApplicableCount', Values: ['0'], Type: 'Equal' }])).toHaveLength(2);
  });

  it('refuses unknown keys and non-numeric values with InvalidFilter', async () => {
    await expect(ids('web', [{ Key: 'Nonsense', Values: ['1'], Type: 'Equal' }])).rejects.toMatchObject({ name: 'InvalidFilter' });
    await expect(ids('web', [{ Key: 'MissingCount', Values: ['many'], Type: 'Equal' }])).rejects.toMatchObject({ name: 'InvalidFilter' });
  });
});
