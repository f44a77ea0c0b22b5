import { expect, it } from 'vitest';
import { GetDefaultPatchBaselineCommand, RegisterDefaultPatchBaselineCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase } from '../../../testing/test-server.js';
import { PREDEFINED_BASELINE_IDS } from '../patch-baseline-rules.js';
import { baselineState, createBaseline, predefinedArn, useTestServer } from './baseline-test-support.js';

describeEachDatabase('RegisterDefaultPatchBaseline', (dialect) => {
  const server = useTestServer(dialect);

  it('makes a baseline the default of its OS only, and the predefined one again when it is registered', async () => {
    const { ssm } = server();
    const ubuntu = await createBaseline(ssm, 'ubuntu-default', { OperatingSystem: 'UBUNTU' });
    expect(await ssm.send(new RegisterDefaultPatchBaselineCommand({ BaselineId: ubuntu }))).toMatchObject({ BaselineId: ubuntu });
    expect((await ssm.send(new GetDefaultPatchBaselineCommand({ OperatingSystem: 'UBUNTU' }))).BaselineId).toBe(ubuntu);
    expect((await ssm.send(new GetDefaultPatchBaselineCommand({ OperatingSystem: 'DEBIAN' }))).BaselineId).toBe(predefinedArn(PREDEFINED_BASELINE_IDS.DEBIAN));

    const predefined = predefinedArn(PREDEFINED_BASELINE_IDS.UBUNTU);
    expect(await ssm.send(new RegisterDefaultPatchBaselineCommand({ BaselineId: PREDEFINED_BASELINE_IDS.UBUNTU }))).toMatchObject({ BaselineId: predefined });
    expect((await ssm.send(new GetDefaultPatchBaselineCommand({ OperatingSystem: 'UBUNTU' }))).BaselineId).toBe(predefined);
  });

  it('refuses an unknown baseline, writing nothing', async () => {
    const before = await baselineState(server());
    await expect(server().ssm.send(new RegisterDefaultPatchBaselineCommand({ BaselineId: 'pb-0123456789abcdef0' }))).rejects.toMatchObject({ name: 'DoesNotExistException' });
    expect(await baselineState(server())).toBe(before);
  });
});
