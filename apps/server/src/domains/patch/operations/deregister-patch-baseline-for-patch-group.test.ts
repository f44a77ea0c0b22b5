import { expect, it } from 'vitest';
import { DeregisterPatchBaselineForPatchGroupCommand, GetPatchBaselineCommand, GetPatchBaselineForPatchGroupCommand, RegisterPatchBaselineForPatchGroupCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase } from '../../../testing/test-server.js';
import { PREDEFINED_BASELINE_IDS } from '../patch-baseline-rules.js';
import { baselineState, createBaseline, predefinedArn, useTestServer } from './baseline-test-support.js';

describeEachDatabase('DeregisterPatchBaselineForPatchGroup', (dialect) => {
  const server = useTestServer(dialect);

  it('removes the registration: the group falls back to the default baseline', async () => {
    const { ssm } = server();
    const id = await createBaseline(ssm, 'leaving');
    await ssm.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId: id, PatchGroup: 'db' }));
    expect(await ssm.send(new DeregisterPatchBaselineForPatchGroupCommand({ BaselineId: id, PatchGroup: 'db' }))).toMatchObject({ BaselineId: id, PatchGroup: 'db' });
    expect((await ssm.send(new GetPatchBaselineCommand({ BaselineId: id }))).PatchGroups).toEqual([]);
    expect((await ssm.send(new GetPatchBaselineForPatchGroupCommand({ PatchGroup: 'db', OperatingSystem: 'DEBIAN' }))).BaselineId).toBe(
      predefinedArn(PREDEFINED_BASELINE_IDS.DEBIAN),
    );
  });

  it('refuses a group the baseline is not registered for, and an unknown baseline, writing nothing', async () => {
    const { ssm } = server();
    const id = await createBaseline(ssm, 'staying');
    const other = await createBaseline(ssm, 'other');
    await ssm.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId: id, PatchGroup: 'web' }));
    const before = await baselineState(server());
    await expect(ssm.send(new DeregisterPatchBaselineForPatchGroupCommand({ BaselineId: other, PatchGroup: 'web' }))).rejects.toMatchObject({ name: 'InvalidResourceId' });
    await expect(ssm.send(new DeregisterPatchBaselineForPatchGroupCommand({ BaselineId: 'pb-0123456789abcdef0', PatchGroup: 'web' }))).rejects.toMatchObject({
      name: 'DoesNotExistException',
    });
    expect(await baselineState(server())).toBe(before);
  });
});
