import { expect, it } from 'vitest';
import { DescribePatchGroupsCommand, paginateDescribePatchGroups, RegisterPatchBaselineForPatchGroupCommand, type PatchGroupPatchBaselineMapping, type PatchOrchestratorFilter } from '@aws-sdk/client-ssm';
import { describeEachDatabase } from '../../../testing/test-server.js';
import { PREDEFINED_BASELINE_IDS } from '../patch-baseline-rules.js';
import { createBaseline, predefinedArn, useTestServer } from './baseline-test-support.js';

describeEachDatabase('DescribePatchGroups', (dialect) => {
  const server = useTestServer(dialect);

  async function mappings(Filters?: PatchOrchestratorFilter[]): Promise<PatchGroupPatchBaselineMapping[]> {
    const all: PatchGroupPatchBaselineMapping[] = [];
    for await (const page of paginateDescribePatchGroups({ client: server().ssm, pageSize: 2 }, { Filters })) all.push(...(page.Mappings ?? []));
    return all;
  }

  it('lists every registration with its baseline identity, filtered by name prefix and OS, page by page', async () => {
    const { ssm } = server();
    expect((await ssm.send(new DescribePatchGroupsCommand({}))).Mappings).toEqual([]);
    const debian = await createBaseline(ssm, 'groups-debian');
    const ubuntu = await createBaseline(ssm, 'groups-ubuntu', { OperatingSystem: 'UBUNTU' });
    const register = (BaselineId: string, PatchGroup: string) => ssm.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId, PatchGroup }));
    await register(debian, 'prod-web');
    await register(ubuntu, 'prod-web');
    await register(debian, 'prod_db');
    await register(predefinedArn(PREDEFINED_BASELINE_IDS.SUSE), 'staging');

    const all = await mappings();
    expect(all.map((m) => [m.PatchGroup, m.BaselineIdentity!.OperatingSystem])).toEqual([
      ['prod-web', 'DEBIAN'],
      ['prod-web', 'UBUNTU'],
      ['prod_db', 'DEBIAN'],
      ['staging', 'SUSE'],
    ]);
    expect(all[0]!.BaselineIdentity).toEqual({
      BaselineId: debian,
      BaselineName: 'groups-debian',
      OperatingSystem: 'DEBIAN',
      BaselineDescription: 'Debian baseline groups-debian',
      DefaultBaseline: false,
    });
    expect(all[3]!.BaselineIdentity).toMatchObject({ BaselineId: predefinedArn(PREDEFINED_BASELINE_IDS.SUSE), DefaultBaseline: true });

    // A prefix is a prefix, not a pattern: _ matches only itself.
    expect((await mappings([{ Key: 'NAME_PREFIX', Values: ['prod_'] }])).map((m) => m.PatchGroup)).toEqual(['prod_db']);
    expect((await mappings([{ Key: 'NAME_PREFIX', Values: ['prod'] }, { Key: 'OPERATING_SYSTEM', Values: ['UBUNTU'] }])).map((m) => m.BaselineIdentity!.BaselineId)).toEqual([
      ubuntu,
    ]);
    await expect(ssm.send(new DescribePatchGroupsCommand({ Filters: [{ Key: 'OWNER', Values: ['Self'] }] }))).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
