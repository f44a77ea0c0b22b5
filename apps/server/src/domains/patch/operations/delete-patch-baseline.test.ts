import { expect, it } from 'vitest';
import {
  DeletePatchBaselineCommand,
  DeregisterPatchBaselineForPatchGroupCommand,
  GetPatchBaselineCommand,
  ListTagsForResourceCommand,
  RegisterDefaultPatchBaselineCommand,
  RegisterPatchBaselineForPatchGroupCommand,
} from '@aws-sdk/client-ssm';
import { describeEachDatabase } from '../../../testing/test-server.js';
import { PREDEFINED_BASELINE_IDS } from '../patch-baseline-rules.js';
import { baselineState, createBaseline, predefinedArn, useTestServer } from './baseline-test-support.js';

describeEachDatabase('DeletePatchBaseline', (dialect) => {
  const server = useTestServer(dialect);

  it('deletes a baseline and its tags', async () => {
    const { ssm } = server();
    const id = await createBaseline(ssm, 'doomed', { Tags: [{ Key: 'a', Value: 'b' }] });
    expect(await ssm.send(new DeletePatchBaselineCommand({ BaselineId: id }))).toMatchObject({ BaselineId: id });
    await expect(ssm.send(new GetPatchBaselineCommand({ BaselineId: id }))).rejects.toMatchObject({ name: 'DoesNotExistException' });
    await expect(ssm.send(new ListTagsForResourceCommand({ ResourceType: 'PatchBaseline', ResourceId: id }))).rejects.toMatchObject({ name: 'InvalidResourceId' });
    const rows = await server().server.services.db.selectFrom('resource_tags').selectAll().where('resource_id', '=', id).execute();
    expect(rows).toEqual([]);
    await expect(ssm.send(new DeletePatchBaselineCommand({ BaselineId: id }))).rejects.toMatchObject({ name: 'DoesNotExistException' });
  });

  it('refuses with ResourceInUseException while the baseline is registered for a patch group or is a default, writing nothing', async () => {
    const { ssm } = server();
    const id = await createBaseline(ssm, 'in-use');
    await ssm.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId: id, PatchGroup: 'web' }));
    let before = await baselineState(server());
    await expect(ssm.send(new DeletePatchBaselineCommand({ BaselineId: id }))).rejects.toMatchObject({
      name: 'ResourceInUseException',
      message: expect.stringContaining('web'),
    });
    expect(await baselineState(server())).toBe(before);
    await ssm.send(new DeregisterPatchBaselineForPatchGroupCommand({ BaselineId: id, PatchGroup: 'web' }));

    await ssm.send(new RegisterDefaultPatchBaselineCommand({ BaselineId: id }));
    before = await baselineState(server());
    await expect(ssm.send(new DeletePatchBaselineCommand({ BaselineId: id }))).rejects.toMatchObject({
      name: 'ResourceInUseException',
      message: expect.stringContaining('default baseline for DEBIAN'),
    });
    expect(await baselineState(server())).toBe(before);
    // Back to the predefined default: now it can go.
    await ssm.send(new RegisterDefaultPatchBaselineCommand({ BaselineId: predefinedArn(PREDEFINED_BASELINE_IDS.DEBIAN) }));
    await ssm.send(new DeletePatchBaselineCommand({ BaselineId: id }));
  });

  it('refuses to delete a predefined baseline', async () => {
    const { ssm } = server();
    await expect(ssm.send(new DeletePatchBaselineCommand({ BaselineId: predefinedArn(PREDEFINED_BASELINE_IDS.SUSE) }))).rejects.toMatchObject({ name: 'ValidationException' });
    expect((await ssm.send(new GetPatchBaselineCommand({ BaselineId: predefinedArn(PREDEFINED_BASELINE_IDS.SUSE) }))).Name).toBe('AWS-SuseDefaultPatchBaseline');
  });
});
