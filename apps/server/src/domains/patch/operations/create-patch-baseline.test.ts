import { expect, it } from 'vitest';
import { CreatePatchBaselineCommand, GetPatchBaselineCommand, ListTagsForResourceCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase } from '../../../testing/test-server.js';
import { baselineState, createBaseline, debianBaseline, useTestServer } from './baseline-test-support.js';

describeEachDatabase('CreatePatchBaseline', (dialect) => {
  const server = useTestServer(dialect);

  it('creates a baseline with a pb- id, its rules filled with the defaults, and its tags', async () => {
    const { ssm } = server();
    const id = await createBaseline(ssm, 'debian-prod', { Tags: [{ Key: 'Env', Value: 'prod' }] });
    expect(id).toMatch(/^pb-[0-9a-f]{17}$/);
    const got = await ssm.send(new GetPatchBaselineCommand({ BaselineId: id }));
    expect(got).toMatchObject({
      BaselineId: id,
      Name: 'debian-prod',
      OperatingSystem: 'DEBIAN',
      Description: 'Debian baseline debian-prod',
      GlobalFilters: { PatchFilters: [] },
      ApprovalRules: {
        PatchRules: [
          { PatchFilterGroup: { PatchFilters: [{ Key: 'PRIORITY', Values: ['Required', 'Important'] }] }, ComplianceLevel: 'HIGH', ApproveAfterDays: 3, EnableNonSecurity: false },
        ],
      },
      ApprovedPatches: [],
      ApprovedPatchesComplianceLevel: 'UNSPECIFIED',
      ApprovedPatchesEnableNonSecurity: false,
      RejectedPatches: ['telnet'],
      RejectedPatchesAction: 'ALLOW_AS_DEPENDENCY',
      Sources: [],
      PatchGroups: [],
    });
    expect(got.CreatedDate).toBeInstanceOf(Date);
    const tags = await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'PatchBaseline', ResourceId: id }));
    expect(tags.TagList).toEqual([{ Key: 'Env', Value: 'prod' }]);
  });

  it('defaults OperatingSystem to WINDOWS', async () => {
    const { ssm } = server();
    const { BaselineId } = await ssm.send(new CreatePatchBaselineCommand({ Name: 'windows-default', ApprovedPatches: ['KB4484070'] }));
    expect((await ssm.send(new GetPatchBaselineCommand({ BaselineId }))).OperatingSystem).toBe('WINDOWS');
  });

  it('answers the same baseline for a repeated ClientToken, and IdempotentParameterMismatch for another request with it', async () => {
    const { ssm } = server();
    const first = await createBaseline(ssm, 'idempotent', { ClientToken: 'token-1' });
    const again = await createBaseline(ssm, 'idempotent', { ClientToken: 'token-1' });
    expect(again).toBe(first);
    const before = await baselineState(server());
    await expect(createBaseline(ssm, 'idempotent-other', { ClientToken: 'token-1' })).rejects.toMatchObject({ name: 'IdempotentParameterMismatch' });
    expect(await baselineState(server())).toBe(before);
  });

  it('refuses filter keys and values invalid for the operating system with a ValidationException naming them, writing nothing', async () => {
    const { ssm } = server();
    const before = await baselineState(server());
    const err = await ssm
      .send(
        new CreatePatchBaselineCommand(
          debianBaseline('bad-filters', {
            ApprovalRules: {
              PatchRules: [
                { PatchFilterGroup: { PatchFilters: [{ Key: 'CLASSIFICATION', Values: ['Security'] }] }, ApproveAfterDays: 7 },
                { PatchFilterGroup: { PatchFilters: [{ Key: 'PRIORITY', Values: ['Urgent'] }] }, ApproveAfterDays: 400 },
              ],
            },
          }),
        ),
      )
      .catch((e) => e);
    expect(err.name).toBe('ValidationException');
    expect(err.message).toMatch(/^3 validation errors detected: /);
    expect(err.message).toContain('Filter key CLASSIFICATION is not valid for operating system DEBIAN');
    expect(err.message).toContain("'Urgent' is not a valid PRIORITY");
    expect(err.message).toContain("(at 'approvalRules.patchRules.2.member.approveAfterDays')");

    await expect(ssm.send(new CreatePatchBaselineCommand(debianBaseline('both-dates', {
      ApprovalRules: { PatchRules: [{ PatchFilterGroup: { PatchFilters: [] }, ApproveAfterDays: 1, ApproveUntilDate: '2024-01-01' }] },
    })))).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('either ApproveAfterDays or ApproveUntilDate') });
    for (const name of ['ab', 'has space', 'x'.repeat(129)]) {
      await expect(createBaseline(ssm, name)).rejects.toMatchObject({ name: 'ValidationException' });
    }
    await expect(createBaseline(ssm, 'bad-os', { OperatingSystem: 'PLAN9' as never })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(createBaseline(ssm, 'bad-tag', { Tags: [{ Key: 'aws:reserved', Value: 'x' }] })).rejects.toMatchObject({ name: 'ValidationException' });
    expect(await baselineState(server())).toBe(before);
  });

  it('refuses the 51st baseline with ResourceLimitExceededException', async () => {
    const { ssm } = server();
    const existing = JSON.parse(await baselineState(server())).baselines.length as number;
    for (let i = existing; i < 50; i++) await createBaseline(ssm, `filler-${i}`);
    const before = await baselineState(server());
    await expect(createBaseline(ssm, 'one-too-many')).rejects.toMatchObject({ name: 'ResourceLimitExceededException' });
    expect(await baselineState(server())).toBe(before);
  });
});
