import { expect, it } from 'vitest';
import { CreatePatchBaselineCommand, GetDefaultPatchBaselineCommand, RegisterDefaultPatchBaselineCommand } from '@aws-sdk/client-ssm';
import { TEND_PATCHED_OPERATING_SYSTEMS } from '@tend/protocol';
import { describeEachDatabase } from '../../../testing/test-server.js';
import { PREDEFINED_BASELINE_IDS } from '../patch-baseline-rules.js';
import { predefinedArn, useTestServer } from './baseline-test-support.js';

describeEachDatabase('GetDefaultPatchBaseline', (dialect) => {
  const server = useTestServer(dialect);

  it('answers the predefined baseline of every OS Tend patches', async () => {
    for (const os of TEND_PATCHED_OPERATING_SYSTEMS) {
      const got = await server().ssm.send(new GetDefaultPatchBaselineCommand({ OperatingSystem: os }));
      expect(got).toMatchObject({ OperatingSystem: os, BaselineId: predefinedArn(PREDEFINED_BASELINE_IDS[os]) });
    }
  });

  it('defaults to WINDOWS, which has a default only once one is registered', async () => {
    const { ssm } = server();
    await expect(ssm.send(new GetDefaultPatchBaselineCommand({}))).rejects.toMatchObject({ name: 'DoesNotExistException', message: expect.stringContaining('WINDOWS') });
    const { BaselineId } = await ssm.send(new CreatePatchBaselineCommand({ Name: 'windows-mine', ApprovedPatches: ['KB4484070'] }));
    await ssm.send(new RegisterDefaultPatchBaselineCommand({ BaselineId }));
    expect(await ssm.send(new GetDefaultPatchBaselineCommand({}))).toMatchObject({ BaselineId, OperatingSystem: 'WINDOWS' });
  });
});
