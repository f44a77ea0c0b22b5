import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../../../testing/test-server.js';
import { NOW, seedFleet, type SeededFleet } from '../patch-test-support.js';

describeEachDatabase('Tend.ListPatchOperations', (dialect) => {
  let t: TestServer;
  let fleet: SeededFleet;
  beforeAll(async () => {
    t = await startTestServer(dialect);
    fleet = await seedFleet(t);
  });
  afterAll(async () => t?.close());

  it("answers a node's operations newest first, with what each changed", async () => {
    const out = await t.api.call<{ Operations: any[]; NextToken?: string }>('Tend.ListPatchOperations', { InstanceId: fleet.web2 });
    expect(out.Operations.map((o) => o.Operation)).toEqual(['Install', 'Scan']);
    expect(out.Operations[0]).toEqual({
      InstanceId: fleet.web2,
      CommandId: 'aaaaaaaa-0000-0000-0000-000000000003',
      Operation: 'Install',
      BaselineId: 'pb-0123456789abcdef0',
      PatchGroup: 'web',
      RebootOption: 'NoReboot',
      StartTime: (NOW - 60_000) / 1000,
      EndTime: (NOW - 30_000) / 1000,
      Installed: [
        { Name: 'openssl', Arch: 'amd64', Version: '3.0.13-1~deb12u1', PreviousVersion: '3.0.11-1~deb12u2' },
        { Name: 'libssl3', Arch: 'amd64', Version: '3.0.13-1~deb12u1', PreviousVersion: '3.0.11-1~deb12u2' },
      ],
      Failed: [{ Name: 'tzdata', Arch: 'all', Version: '2024b-0+deb12u1' }],
      Rebooted: false,
    });
    expect(out.NextToken).toBeUndefined();
  });

  it('pages through the fleet', async () => {
    const seen: string[] = [];
    let NextToken: string | undefined;
    do {
      const page: { Operations: any[]; NextToken?: string } = await t.api.call('Tend.ListPatchOperations', { MaxResults: 2, NextToken });
      seen.push(...page.Operations.map((o) => o.CommandId.slice(-1)));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(seen).toEqual(['5', '4', '3', '2', '1']);
    await expect(t.api.call('Tend.ListPatchOperations', { NextToken: 'nope' })).rejects.toMatchObject({ name: 'InvalidNextToken' });
  });
});
