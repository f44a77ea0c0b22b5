import { afterAll, beforeAll, expect, it } from 'vitest';
import { DeleteActivationCommand, DescribeActivationsCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase, startTestServer, type TestServer } from '../../../testing/test-server.js';
import { registerNode } from '../../../gateway/test-agent.js';
import { createTestActivation, describeNode, registerTestNode } from '../node-test-support.js';

describeEachDatabase('AmazonSSM.DeleteActivation', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  it('deletes the activation and its tags; its nodes stay registered', async () => {
    const activation = await createTestActivation(t, { RegistrationLimit: 3, Tags: [{ Key: 'env', Value: 'lab' }] });
    const { instanceId } = await registerTestNode(t, activation);
    await t.ssm.send(new DeleteActivationCommand({ ActivationId: activation.activationId }));

    const listed = await t.ssm.send(new DescribeActivationsCommand({ Filters: [{ FilterKey: 'ActivationIds', FilterValues: [activation.activationId] }] }));
    expect(listed.ActivationList).toEqual([]);
    const tags = await t.server.services.db.selectFrom('resource_tags').selectAll().where('resource_id', '=', activation.activationId).execute();
    expect(tags).toEqual([]);
    expect(await describeNode(t, instanceId)).toMatchObject({ InstanceId: instanceId, ActivationId: activation.activationId });
    expect((await registerNode(t.url, activation)).body.__type).toBe('InvalidActivation');
  });

  it('answers InvalidActivationId for a malformed id and InvalidActivation for an unknown or deleted one', async () => {
    await expect(t.ssm.send(new DeleteActivationCommand({ ActivationId: 'not-an-id' }))).rejects.toMatchObject({ name: 'InvalidActivationId' });
    await expect(t.ssm.send(new DeleteActivationCommand({ ActivationId: '00000000-0000-4000-8000-000000000000' }))).rejects.toMatchObject({
      name: 'InvalidActivation',
    });
    const activation = await createTestActivation(t);
    await t.ssm.send(new DeleteActivationCommand({ ActivationId: activation.activationId }));
    await expect(t.ssm.send(new DeleteActivationCommand({ ActivationId: activation.activationId }))).rejects.toMatchObject({ name: 'InvalidActivation' });
  });
});
