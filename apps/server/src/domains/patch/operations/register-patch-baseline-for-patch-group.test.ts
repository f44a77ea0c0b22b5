import { expect, it } from 'vitest';
import { GetPatchBaselineForPatchGroupCommand, RegisterPatchBaselineForPatchGroupCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase } from '../../../testing/test-server.js';
import { PREDEFINED_BASELINE_IDS } from '../patch-baseline-rules.js';
import { baselineState, createBaseline, predefinedArn, useTestServer } from './baseline-test-support.js';

describeEachDatabase('RegisterPatchBaselineForPatchGroup', (dialect) => {
  const server = useTestServer(dialect);

  it('registers one baseline per patch group and OS; the same pair again is a no-op', async () => {
    const { ssm } = server();
    const debian = await createBaseline(ssm, 'web-debian');
    const ubuntu = await createBaseline(ssm, 'web-ubuntu', { OperatingSystem: 'UBUNTU' });
    expect(await ssm.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId: debian, PatchGroup: 'web servers' }))).toEqual(
      expect.objectContaining({ BaselineId: debian, PatchGroup: 'web servers' }),
    );
    await ssm.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId: ubuntu, PatchGroup: 'web servers' }));
    await ssm.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId: debian, PatchGroup: 'web servers' }));
    expect((await ssm.send(new GetPatchBaselineForPatchGroupCommand({ PatchGroup: 'web servers', OperatingSystem: 'DEBIAN' }))).BaselineId).toBe(debian);
    expect((await ssm.send(new GetPatchBaselineForPatchGroupCommand({ PatchGroup: 'web servers', OperatingSystem: 'UBUNTU' }))).BaselineId).toBe(ubuntu);

    const other = await createBaseline(ssm, 'web-debian-2');
    const before = await baselineState(server());
    await expect(ssm.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId: other, PatchGroup: 'web servers' }))).rejects.toMatchObject({
      name: 'AlreadyExistsException',
      message: expect.stringContaining(debian),
    });
    await expect(
      ssm.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId: predefinedArn(PREDEFINED_BASELINE_IDS.DEBIAN), PatchGroup: 'web servers' })),
    ).rejects.toMatchObject({ name: 'AlreadyExistsException' });
    expect(await baselineState(server())).toBe(before);
  });

  it('registers a predefined baseline too', async () => {
    const { ssm } = server();
    const arn = predefinedArn(PREDEFINED_BASELINE_IDS.REDHAT_ENTERPRISE_LINUX);
    expect(await ssm.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId: arn, PatchGroup: 'rhel-fleet' }))).toMatchObject({ BaselineId: arn });
  });

  it('refuses unknown baselines, bad group names and a 26th group, writing nothing', async () => {
    const { ssm } = server();
    const id = await createBaseline(ssm, 'popular');
    for (let i = 0; i < 25; i++) await ssm.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId: id, PatchGroup: `group-${i}` }));
    const before = await baselineState(server());
    await expect(ssm.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId: id, PatchGroup: 'group-25' }))).rejects.toMatchObject({
      name: 'ResourceLimitExceededException',
    });
    await expect(ssm.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId: 'pb-0123456789abcdef0', PatchGroup: 'x' }))).rejects.toMatchObject({
      name: 'DoesNotExistException',
    });
    for (const PatchGroup of ['', 'semi;colon', 'g'.repeat(257)]) {
      await expect(ssm.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId: id, PatchGroup }))).rejects.toMatchObject({ name: 'ValidationException' });
    }
    expect(await baselineState(server())).toBe(before);
  });
});
