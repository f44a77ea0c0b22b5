import { afterAll, beforeAll, expect, it } from 'vitest';
import { DescribeInstancePatchesCommand, type PatchOrchestratorFilter } from '@aws-sdk/client-ssm';
import { describeEachDatabase, startTestServer, type TestServer } from '../../../testing/test-server.js';
import { DAY, NOW, seedFleet, type SeededFleet } from '../patch-test-support.js';

describeEachDatabase('AmazonSSM.DescribeInstancePatches', (dialect) => {
  let t: TestServer;
  let fleet: SeededFleet;
  beforeAll(async () => {
    t = await startTestServer(dialect);
    fleet = await seedFleet(t);
  });
  afterAll(async () => t?.close());

  async function all(InstanceId: string, Filters?: PatchOrchestratorFilter[]) {
    const out = [];
    let NextToken: string | undefined;
    do {
      const page = await t.ssm.send(new DescribeInstancePatchesCommand({ InstanceId, Filters, MaxResults: 10, NextToken }));
      out.push(...page.Patches!);
      NextToken = page.NextToken;
    } while (NextToken);
    return out;
  }

  it('answers every patch with its state, by KBId', async () => {
    const patches = await all(fleet.web1);
    expect(patches.map((p) => p.KBId)).toEqual(['bash.amd64', 'curl.amd64', 'libc6.amd64', 'libssl3.amd64', 'linux-image-6.1.0-18-amd64.amd64', 'openssl.amd64', 'tzdata.all']);
    expect(patches.find((p) => p.KBId === 'openssl.amd64')).toEqual({
      Title: 'openssl.amd64:3.0.13-1~deb12u1',
      KBId: 'openssl.amd64',
      Classification: 'utils',
      Severity: 'Optional',
      State: 'MISSING',
      InstalledTime: new Date(0),
      CVEIds: 'CVE-2023-5678,CVE-2024-0727',
    });
    expect(patches.find((p) => p.KBId === 'bash.amd64')).toMatchObject({ State: 'INSTALLED_OTHER', InstalledTime: new Date(NOW - 90 * DAY) });
  });

  it('filters on State (either spelling), Severity, Classification and KBId', async () => {
    expect((await all(fleet.web2, [{ Key: 'State', Values: ['InstalledPendingReboot', 'FAILED'] }])).map((p) => p.KBId)).toEqual(['libssl3.amd64', 'tzdata.all']);
    expect((await all(fleet.db1, [{ Key: 'Classification', Values: ['Security'] }])).map((p) => p.KBId)).toEqual(['kernel.x86_64', 'openssh.x86_64']);
    expect((await all(fleet.db1, [{ Key: 'Severity', Values: ['Critical'] }])).map((p) => p.Title)).toEqual(['kernel.x86_64:5.14.0-427.13.1.el9_4']);
    expect((await all(fleet.db1, [{ Key: 'KBId', Values: ['glibc.x86_64'] }])).map((p) => p.State)).toEqual(['INSTALLED_OTHER']);
  });

  it('answers an empty list for a node that never reported, InvalidInstanceId for an unknown one', async () => {
    expect(await all(fleet.quiet)).toEqual([]);
    await expect(all('mi-0123456789abcdef0')).rejects.toMatchObject({ name: 'InvalidInstanceId' });
    await expect(all(fleet.web1, [{ Key: 'Vendor', Values: ['x'] }])).rejects.toMatchObject({ name: 'InvalidFilter' });
    await expect(all(fleet.web1, [{ Key: 'State', Values: ['Broken'] }])).rejects.toMatchObject({ name: 'InvalidFilter' });
  });
});
