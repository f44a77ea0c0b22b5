import { expect, it } from 'vitest';
import { RegisterDefaultPatchBaselineCommand, RegisterPatchBaselineForPatchGroupCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase } from '../../testing/test-server.js';
import { insertTestNodes, testNodeId } from '../targets/managed-node-fixtures.js';
import { baselineById } from './patch-baselines.store.js';
import { effectiveBaselineFor, resolvePatchBaselineInputs } from './effective-baseline.js';
import { PREDEFINED_BASELINE_IDS } from './patch-baseline-rules.js';
import { createBaseline, useTestServer } from './operations/baseline-test-support.js';

describeEachDatabase('resolvePatchBaselineInputs', (dialect) => {
  const server = useTestServer(dialect);
  const n = testNodeId;

  it('gives each node the baseline of its patch group and OS, else its OS default, in a fixed number of queries', async () => {
    const { ssm } = server();
    const db = server().server.services.db;
    await insertTestNodes(db, [
      { id: n(1), tags: { 'Patch Group': 'web' } },
      { id: n(2), tags: { PatchGroup: 'web' } },
      { id: n(3), tags: { 'Patch Group': 'web', PatchGroup: 'db' } },
      { id: n(4), tags: { 'Patch Group': 'web' } },
      { id: n(5) },
      { id: n(6), tags: { 'Patch Group': 'nobody' } },
      { id: n(7) },
      { id: n(8), tags: { 'Patch Group': 'web' } },
    ]);
    const platform = (id: string, name: string | null, version: string | null) =>
      db.updateTable('managed_nodes').set({ platform_name: name, platform_version: version }).where('instance_id', '=', id).execute();
    await platform(n(4), 'Ubuntu', '22.04');
    await platform(n(7), 'Arch Linux', '');
    await platform(n(8), 'Rocky Linux', '9.3');

    const webDebian = await createBaseline(ssm, 'web-debian', { ApprovedPatches: ['openssl'] });
    const webUbuntu = await createBaseline(ssm, 'web-ubuntu', { OperatingSystem: 'UBUNTU' });
    const ubuntuDefault = await createBaseline(ssm, 'ubuntu-default', { OperatingSystem: 'UBUNTU' });
    await ssm.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId: webDebian, PatchGroup: 'web' }));
    await ssm.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId: webUbuntu, PatchGroup: 'web' }));
    await ssm.send(new RegisterDefaultPatchBaselineCommand({ BaselineId: ubuntuDefault }));

    const ids = [n(1), n(2), n(3), n(4), n(5), n(6), n(7), n(8), 'mi-0000000000000ffff'];
    const inputs = await resolvePatchBaselineInputs(db, ids, Date.now());
    const summary = Object.fromEntries([...inputs].map(([id, v]) => [id, [v.BaselineId, v.PatchGroup ?? null, v.OperatingSystem]]));
    expect(summary).toEqual({
      [n(1)]: [webDebian, 'web', 'DEBIAN'],
      [n(2)]: [webDebian, 'web', 'DEBIAN'],
      // `Patch Group` wins over `PatchGroup`.
      [n(3)]: [webDebian, 'web', 'DEBIAN'],
      [n(4)]: [webUbuntu, 'web', 'UBUNTU'],
      [n(5)]: [PREDEFINED_BASELINE_IDS.DEBIAN, null, 'DEBIAN'],
      [n(6)]: [PREDEFINED_BASELINE_IDS.DEBIAN, 'nobody', 'DEBIAN'],
      // No baseline registered for web on Rocky: its OS default.
      [n(8)]: [PREDEFINED_BASELINE_IDS.ROCKY_LINUX, 'web', 'ROCKY_LINUX'],
    });
    expect(inputs.get(n(1))!.Baseline).toMatchObject({ OperatingSystem: 'DEBIAN', ApprovedPatches: ['openssl'], RejectedPatches: ['telnet'] });
    expect(inputs.get(n(5))!.Baseline).toMatchObject({ OperatingSystem: 'DEBIAN', ApprovalRules: { PatchRules: [expect.objectContaining({ ApproveAfterDays: 0 })] } });

    const one = await effectiveBaselineFor(db, n(4));
    expect(one).toMatchObject({ instanceId: n(4), operatingSystem: 'UBUNTU', product: 'Ubuntu22.04', patchGroup: 'web', baseline: { baselineId: webUbuntu, name: 'web-ubuntu' } });
    expect(await effectiveBaselineFor(db, n(7))).toBeUndefined();
    expect((await baselineById(db, webDebian))?.name).toBe('web-debian');
    expect((await baselineById(db, `arn:aws:ssm:us-east-1:123456789012:patchbaseline/${PREDEFINED_BASELINE_IDS.SUSE}`))?.name).toBe('AWS-SuseDefaultPatchBaseline');
    expect(await baselineById(db, 'pb-0123456789abcdef0')).toBeUndefined();
  });

  it('resolves a large batch in a few statements', async () => {
    const db = server().server.services.db;
    const nodes = Array.from({ length: 2500 }, (_, i) => ({ id: n(1000 + i), tags: (i % 2 ? { 'Patch Group': 'web' } : {}) as Record<string, string> }));
    await insertTestNodes(db, nodes);
    const started = Date.now();
    const inputs = await resolvePatchBaselineInputs(db, nodes.map((x) => x.id), Date.now());
    expect(inputs.size).toBe(2500);
    expect(inputs.get(n(1001))!.PatchGroup).toBe('web');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
