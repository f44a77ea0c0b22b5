import { expect, it } from 'vitest';
import { GetPatchBaselineForPatchGroupCommand, RegisterDefaultPatchBaselineCommand, RegisterPatchBaselineForPatchGroupCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase } from '../../../testing/test-server.js';
import { PREDEFINED_BASELINE_IDS } from '../patch-baseline-rules.js';
import { createBaseline, predefinedArn, useTestServer } from './baseline-test-support.js';

describeEachDatabase('GetPatchBaselineForPatchGroup', (dialect) => {
  const server = useTestServer(dialect);

  it('answers the registered baseline for the group and OS, else the OS default', async () => {
    const { ssm } = server();
    const suse = await createBaseline(ssm, 'suse-db', { OperatingSystem: 'SUSE', ApprovalRules: { PatchRules: [] }, RejectedPatches: [] });
    await ssm.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId: suse, PatchGroup: 'db' }));
    expect(await ssm.send(new GetPatchBaselineForPatchGroupCommand({ PatchGroup: 'db', OperatingSystem: 'SUSE' }))).toMatchObject({
      BaselineId: suse,
      PatchGroup: 'db',
      OperatingSystem: 'SUSE',
    });
    expect((await ssm.send(new GetPatchBaselineForPatchGroupCommand({ PatchGroup: 'db', OperatingSystem: 'ROCKY_LINUX' }))).BaselineId).toBe(
      predefinedArn(PREDEFINED_BASELINE_IDS.ROCKY_LINUX),
    );
    const rocky = await createBaseline(ssm, 'rocky-default', { OperatingSystem: 'ROCKY_LINUX', ApprovalRules: { PatchRules: [] }, RejectedPatches: [] });
    await ssm.send(new RegisterDefaultPatchBaselineCommand({ BaselineId: rocky }));
    expect((await ssm.send(new GetPatchBaselineForPatchGroupCommand({ PatchGroup: 'db', OperatingSystem: 'ROCKY_LINUX' }))).BaselineId).toBe(rocky);
  });

  it('defaults the OS to WINDOWS, which has no baseline until one is registered', async () => {
    await expect(server().ssm.send(new GetPatchBaselineForPatchGroupCommand({ PatchGroup: 'db' }))).rejects.toMatchObject({ name: 'DoesNotExistException' });
  });
});
