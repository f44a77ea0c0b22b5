import { expect, it } from 'vitest';
import { GetPatchBaselineCommand, RegisterPatchBaselineForPatchGroupCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase } from '../../../testing/test-server.js';
import { PREDEFINED_BASELINE_IDS } from '../patch-baseline-rules.js';
import { createBaseline, predefinedArn, useTestServer } from './baseline-test-support.js';

describeEachDatabase('GetPatchBaseline', (dialect) => {
  const server = useTestServer(dialect);

  it('answers a baseline with the patch groups it is registered for, by id or by ARN', async () => {
    const { ssm } = server();
    const id = await createBaseline(ssm, 'with-groups');
    for (const group of ['web', 'db']) await ssm.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId: id, PatchGroup: group }));
    const got = await ssm.send(new GetPatchBaselineCommand({ BaselineId: id }));
    expect(got).toMatchObject({ BaselineId: id, Name: 'with-groups', PatchGroups: ['db', 'web'] });
    const byArn = await ssm.send(new GetPatchBaselineCommand({ BaselineId: `arn:aws:ssm:us-east-1:123456789012:patchbaseline/${id}` }));
    expect(byArn).toMatchObject({ BaselineId: id, PatchGroups: ['db', 'web'] });
  });

  it('answers a predefined baseline under its ARN, by the ARN or its short id', async () => {
    const { ssm } = server();
    const arn = predefinedArn(PREDEFINED_BASELINE_IDS.UBUNTU);
    for (const BaselineId of [arn, PREDEFINED_BASELINE_IDS.UBUNTU]) {
      const got = await ssm.send(new GetPatchBaselineCommand({ BaselineId }));
      expect(got).toMatchObject({
        BaselineId: arn,
        Name: 'AWS-UbuntuDefaultPatchBaseline',
        OperatingSystem: 'UBUNTU',
        ApprovalRules: { PatchRules: [{ ApproveAfterDays: 0, ComplianceLevel: 'UNSPECIFIED', EnableNonSecurity: false }] },
        PatchGroups: [],
      });
      expect(got.ApprovalRules!.PatchRules![0]!.PatchFilterGroup!.PatchFilters).toContainEqual({ Key: 'PRIORITY', Values: ['Required', 'Important', 'Standard', 'Optional', 'Extra'] });
    }
  });

  it('answers DoesNotExistException for an unknown id and ValidationException for a malformed one', async () => {
    const { ssm } = server();
    await expect(ssm.send(new GetPatchBaselineCommand({ BaselineId: 'pb-0123456789abcdef0' }))).rejects.toMatchObject({
      name: 'DoesNotExistException',
      message: 'Patch baseline pb-0123456789abcdef0 does not exist.',
    });
    await expect(ssm.send(new GetPatchBaselineCommand({ BaselineId: 'nope' }))).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
