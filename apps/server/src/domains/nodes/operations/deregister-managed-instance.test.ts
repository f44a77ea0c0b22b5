import { afterAll, beforeAll, expect, it } from 'vitest';
import { AddTagsToResourceCommand, DeregisterManagedInstanceCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, TEST_REGION, type TestServer } from '../../../testing/test-server.js';
import { createUserWithKey, policyDocument } from '../../iam/iam-test-fixtures.js';
import { connectAgent } from '../../../gateway/test-agent.js';
import { createTestActivation, describeNode, nodeEvents, registerTestNode } from '../node-test-support.js';

describeEachDatabase('AmazonSSM.DeregisterManagedInstance', (dialect) => {
  let t: TestServer;
  let activation: { activationId: string; activationCode: string };
  beforeAll(async () => {
    t = await startTestServer(dialect);
    activation = await createTestActivation(t, { RegistrationLimit: 10 });
  });
  afterAll(async () => t?.close());

  it('makes the node Inactive, closes its connection with a reject frame and writes the event', async () => {
    const { instanceId, identity } = await registerTestNode(t, activation);
    const { connection, answer } = await connectAgent(t.url, instanceId, identity);
    expect(answer.type).toBe('welcome');

    await t.ssm.send(new DeregisterManagedInstanceCommand({ InstanceId: instanceId }));
    expect(await connection.next('reject')).toMatchObject({ code: 'Deregistered' });
    expect((await connection.closed).code).toBe(4003);
    expect(t.server.services.agents.isConnected(instanceId)).toBe(false);
    expect(await describeNode(t, instanceId)).toMatchObject({ PingStatus: 'Inactive' });
    expect((await nodeEvents(t, instanceId)).slice(1)).toEqual([{ type: 'node.status', payload: { instanceId, from: 'Online', to: 'Inactive' } }]);

    // Its key can never connect again, and the node is gone for every other call.
    expect((await connectAgent(t.url, instanceId, identity)).answer).toMatchObject({ type: 'reject', code: 'Deregistered' });
    await expect(t.ssm.send(new DeregisterManagedInstanceCommand({ InstanceId: instanceId }))).rejects.toMatchObject({ name: 'InvalidInstanceId' });
    await expect(
      t.ssm.send(new AddTagsToResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: instanceId, Tags: [{ Key: 'a', Value: 'b' }] })),
    ).rejects.toMatchObject({ name: 'InvalidResourceId' });
  });

  it('answers InvalidInstanceId for an unknown node', async () => {
    await expect(t.ssm.send(new DeregisterManagedInstanceCommand({ InstanceId: 'mi-00000000000000000' }))).rejects.toMatchObject({ name: 'InvalidInstanceId' });
    await expect(t.ssm.send(new DeregisterManagedInstanceCommand({ InstanceId: 'i-0123' }))).rejects.toMatchObject({ name: 'InvalidInstanceId' });
  });

  it('needs ssm:DeregisterManagedInstance on the managed-instance ARN', async () => {
    const mine = await registerTestNode(t, activation);
    const theirs = await registerTestNode(t, activation);
    const user = await createUserWithKey(
      t,
      'node-janitor',
      policyDocument({
        Effect: 'Allow',
        Action: 'ssm:DeregisterManagedInstance',
        Resource: `arn:aws:ssm:${TEST_REGION}:${TEST_ACCOUNT}:managed-instance/${mine.instanceId}`,
      }),
    );
    await expect(user.ssm.send(new DeregisterManagedInstanceCommand({ InstanceId: theirs.instanceId }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await user.ssm.send(new DeregisterManagedInstanceCommand({ InstanceId: mine.instanceId }));
    expect((await describeNode(t, mine.instanceId))?.PingStatus).toBe('Inactive');
    expect((await describeNode(t, theirs.instanceId))?.PingStatus).toBe('Online');
  });
});
