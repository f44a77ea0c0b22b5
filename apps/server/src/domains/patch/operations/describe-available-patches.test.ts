import { afterAll, beforeAll, expect, it } from 'vitest';
import { DescribeAvailablePatchesCommand, type PatchOrchestratorFilter } from '@aws-sdk/client-ssm';
import { describeEachDatabase, startTestServer, type TestServer } from '../../../testing/test-server.js';
import { DAY, NOW, seedFleet } from '../patch-test-support.js';

describeEachDatabase('AmazonSSM.DescribeAvailablePatches', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
    await seedFleet(t);
  });
  afterAll(async () => t?.close());

  async function ids(Filters?: PatchOrchestratorFilter[], MaxResults = 3) {
    const out: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await t.ssm.send(new DescribeAvailablePatchesCommand({ Filters, MaxResults, NextToken }));
      out.push(...page.Patches!.map((p) => p.Id!));
      NextToken = page.NextToken;
    } while (NextToken);
    return out;
  }

  it('answers the package versions the fleet reported, with their advisory data', async () => {
    const out = await t.ssm.send(new DescribeAvailablePatchesCommand({ Filters: [{ Key: 'PRODUCT', Values: ['RockyLinux9.3'] }, { Key: 'NAME', Values: ['openssh'] }] }));
    expect(out.Patches).toEqual([
      { Id: 'openssh.x86_64:8.7p1-34.el9', Title: 'openssh.x86_64:8.7p1-34.el9', Product: 'RockyLinux9.3', Name: 'openssh', Epoch: 0, Version: '8.7p1', Release: '34.el9', Arch: 'x86_64' },
      {
        Id: 'openssh.x86_64:8.7p1-38.el9',
        ReleaseDate: new Date(NOW - 30 * DAY),
        Title: 'Moderate: openssh security update',
        Product: 'RockyLinux9.3',
        Classification: 'Security',
        Severity: 'Important',
        Repository: 'baseos',
        AdvisoryIds: ['RLSA-2024:3166'],
        CVEIds: ['CVE-2023-51385'],
        Name: 'openssh',
        Epoch: 0,
        Version: '8.7p1',
        Release: '38.el9',
        Arch: 'x86_64',
      },
    ]);
  });

  it('filters on the Linux keys, page by page', async () => {
    expect(await ids([{ Key: 'CVE_ID', Values: ['CVE-2024-1086'] }])).toEqual(['kernel.x86_64:5.14.0-427.13.1.el9_4']);
    expect(await ids([{ Key: 'ADVISORY_ID', Values: ['DSA-5617-1', 'RLBA-2024:2000'] }])).toEqual(['openssl.amd64:3.0.13-1~deb12u1', 'glibc.x86_64:2.34-100.el9']);
    expect(await ids([{ Key: 'CLASSIFICATION', Values: ['Security'] }, { Key: 'SEVERITY', Values: ['Critical'] }])).toEqual(['kernel.x86_64:5.14.0-427.13.1.el9_4']);
    expect(await ids([{ Key: 'EPOCH', Values: ['2'] }])).toEqual(['vim-minimal.x86_64:2:8.2.2637-20.el9_1']);
    expect(await ids([{ Key: 'PRODUCT', Values: ['Debian12'] }, { Key: 'REPOSITORY', Values: ['bookworm-security'] }])).toEqual(['libssl3.amd64:3.0.13-1~deb12u1', 'openssl.amd64:3.0.13-1~deb12u1']);
    const debian = await ids([{ Key: 'PRODUCT', Values: ['Debian12'] }]);
    expect(debian).toHaveLength(10);
    expect(await ids(undefined, 100)).toHaveLength(10 + 7);
  });

  it('refuses unknown filter keys', async () => {
    await expect(ids([{ Key: 'MSRC_SEVERITY', Values: ['Critical'] }])).rejects.toMatchObject({ name: 'InvalidFilter' });
  });
});
