import { expect, it } from 'vitest';
import { DescribePatchBaselinesCommand, paginateDescribePatchBaselines, RegisterDefaultPatchBaselineCommand, type PatchBaselineIdentity, type PatchOrchestratorFilter } from '@aws-sdk/client-ssm';
import { describeEachDatabase } from '../../../testing/test-server.js';
import { PREDEFINED_BASELINE_IDS } from '../patch-baseline-rules.js';
import { createBaseline, predefinedArn, useTestServer } from './baseline-test-support.js';

describeEachDatabase('DescribePatchBaselines', (dialect) => {
  const server = useTestServer(dialect);

  async function names(Filters?: PatchOrchestratorFilter[]): Promise<string[]> {
    const all: PatchBaselineIdentity[] = [];
    for await (const page of paginateDescribePatchBaselines({ client: server().ssm, pageSize: 3 }, { Filters })) all.push(...(page.BaselineIdentities ?? []));
    return all.map((b) => b.BaselineName!);
  }

  it('lists the predefined baselines, each the default of its OS, under their ARNs', async () => {
    const { BaselineIdentities } = await server().ssm.send(new DescribePatchBaselinesCommand({ Filters: [{ Key: 'OWNER', Values: ['AWS'] }] }));
    expect(BaselineIdentities!.map((b) => b.BaselineName)).toEqual([
      'AWS-AlmaLinuxDefaultPatchBaseline',
      'AWS-AmazonLinux2023DefaultPatchBaseline',
      'AWS-CentOSDefaultPatchBaseline',
      'AWS-DebianDefaultPatchBaseline',
      'AWS-RedHatDefaultPatchBaseline',
      'AWS-RockyLinuxDefaultPatchBaseline',
      'AWS-SuseDefaultPatchBaseline',
      'AWS-UbuntuDefaultPatchBaseline',
    ]);
    expect(BaselineIdentities!.find((b) => b.OperatingSystem === 'DEBIAN')).toEqual({
      BaselineId: predefinedArn(PREDEFINED_BASELINE_IDS.DEBIAN),
      BaselineName: 'AWS-DebianDefaultPatchBaseline',
      OperatingSystem: 'DEBIAN',
      BaselineDescription: expect.stringContaining('Debian'),
      DefaultBaseline: true,
    });
  });

  it('filters by NAME_PREFIX, OWNER and OPERATING_SYSTEM and pages through everything', async () => {
    const { ssm } = server();
    const mine = await createBaseline(ssm, 'team-a-debian');
    await createBaseline(ssm, 'team-a-ubuntu', { OperatingSystem: 'UBUNTU' });
    await createBaseline(ssm, 'team-b-debian');
    await ssm.send(new RegisterDefaultPatchBaselineCommand({ BaselineId: mine }));

    expect(await names([{ Key: 'OWNER', Values: ['Self'] }])).toEqual(['team-a-debian', 'team-a-ubuntu', 'team-b-debian']);
    expect(await names([{ Key: 'NAME_PREFIX', Values: ['team-a'] }])).toEqual(['team-a-debian', 'team-a-ubuntu']);
    expect(await names([{ Key: 'OPERATING_SYSTEM', Values: ['DEBIAN'] }])).toEqual(['AWS-DebianDefaultPatchBaseline', 'team-a-debian', 'team-b-debian']);
    expect(await names([{ Key: 'OWNER', Values: ['AWS'] }, { Key: 'OPERATING_SYSTEM', Values: ['UBUNTU', 'SUSE'] }])).toEqual([
      'AWS-SuseDefaultPatchBaseline',
      'AWS-UbuntuDefaultPatchBaseline',
    ]);
    const everything = await names();
    expect(everything).toHaveLength(11);
    expect(everything).toEqual([...everything].sort());

    const debian = (await ssm.send(new DescribePatchBaselinesCommand({ Filters: [{ Key: 'OPERATING_SYSTEM', Values: ['DEBIAN'] }] }))).BaselineIdentities!;
    expect(debian.map((b) => [b.BaselineName, b.DefaultBaseline])).toEqual([
      ['AWS-DebianDefaultPatchBaseline', false],
      ['team-a-debian', true],
      ['team-b-debian', false],
    ]);
  });

  it('refuses unknown filter keys and values, and a token from another query', async () => {
    const { ssm } = server();
    await expect(ssm.send(new DescribePatchBaselinesCommand({ Filters: [{ Key: 'COLOR', Values: ['x'] }] }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(ssm.send(new DescribePatchBaselinesCommand({ Filters: [{ Key: 'OWNER', Values: ['Amazon'] }] }))).rejects.toMatchObject({ name: 'ValidationException' });
    const first = await ssm.send(new DescribePatchBaselinesCommand({ MaxResults: 2 }));
    expect(first.NextToken).toBeDefined();
    await expect(ssm.send(new DescribePatchBaselinesCommand({ MaxResults: 2, NextToken: first.NextToken, Filters: [{ Key: 'OWNER', Values: ['Self'] }] }))).rejects.toMatchObject({
      name: 'InvalidNextToken',
    });
  });
});
