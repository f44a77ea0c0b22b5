import { expect, it } from 'vitest';
import { GetPatchBaselineCommand, UpdatePatchBaselineCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase } from '../../../testing/test-server.js';
import { PREDEFINED_BASELINE_IDS } from '../patch-baseline-rules.js';
import { baselineState, createBaseline, predefinedArn, useTestServer } from './baseline-test-support.js';

describeEachDatabase('UpdatePatchBaseline', (dialect) => {
  const server = useTestServer(dialect);

  it('changes the members given and keeps the others', async () => {
    const { ssm } = server();
    const id = await createBaseline(ssm, 'partial');
    const updated = await ssm.send(new UpdatePatchBaselineCommand({ BaselineId: id, RejectedPatches: ['rsh-client', 'telnet*'], RejectedPatchesAction: 'BLOCK' }));
    expect(updated).toMatchObject({
      BaselineId: id,
      Name: 'partial',
      OperatingSystem: 'DEBIAN',
      Description: 'Debian baseline partial',
      RejectedPatches: ['rsh-client', 'telnet*'],
      RejectedPatchesAction: 'BLOCK',
      ApprovalRules: { PatchRules: [expect.objectContaining({ ApproveAfterDays: 3, ComplianceLevel: 'HIGH' })] },
    });
    expect(updated.ModifiedDate!.getTime()).toBeGreaterThanOrEqual(updated.CreatedDate!.getTime());
    expect(await ssm.send(new GetPatchBaselineCommand({ BaselineId: id }))).toMatchObject({ RejectedPatchesAction: 'BLOCK', Name: 'partial' });
  });

  it('with Replace, resets what the request leaves out and requires the Name', async () => {
    const { ssm } = server();
    const id = await createBaseline(ssm, 'replaced', { ApprovedPatches: ['openssl'] });
    await expect(ssm.send(new UpdatePatchBaselineCommand({ BaselineId: id, Replace: true, RejectedPatches: [] }))).rejects.toMatchObject({ name: 'ValidationException' });
    const replaced = await ssm.send(new UpdatePatchBaselineCommand({ BaselineId: id, Replace: true, Name: 'replaced-v2', ApprovedPatches: ['curl'] }));
    expect(replaced).toMatchObject({
      Name: 'replaced-v2',
      OperatingSystem: 'DEBIAN',
      ApprovedPatches: ['curl'],
      RejectedPatches: [],
      ApprovalRules: { PatchRules: [] },
      RejectedPatchesAction: 'ALLOW_AS_DEPENDENCY',
    });
    expect(replaced.Description).toBeUndefined();
  });

  it('refuses invalid rules, predefined baselines and unknown ids, writing nothing', async () => {
    const { ssm } = server();
    const id = await createBaseline(ssm, 'guarded');
    const before = await baselineState(server());
    await expect(
      ssm.send(new UpdatePatchBaselineCommand({ BaselineId: id, GlobalFilters: { PatchFilters: [{ Key: 'SEVERITY', Values: ['Critical'] }] } })),
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('Filter key SEVERITY is not valid for operating system DEBIAN') });
    await expect(ssm.send(new UpdatePatchBaselineCommand({ BaselineId: predefinedArn(PREDEFINED_BASELINE_IDS.DEBIAN), Name: 'mine-now' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('predefined'),
    });
    await expect(ssm.send(new UpdatePatchBaselineCommand({ BaselineId: 'pb-0123456789abcdef0', Name: 'ghost' }))).rejects.toMatchObject({ name: 'DoesNotExistException' });
    expect(await baselineState(server())).toBe(before);
  });
});
