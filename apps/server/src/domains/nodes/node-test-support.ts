import { CreateActivationCommand, DescribeInstanceInformationCommand, type CreateActivationCommandInput } from '@aws-sdk/client-ssm';
import type { TestServer } from '../../testing/test-server.js';
import { registerNode, type TestIdentity } from '../../gateway/test-agent.js';

/** CreateActivation through the SDK, with an IamRole filled in. */
export async function createTestActivation(t: TestServer, input: Partial<CreateActivationCommandInput> = {}) {
  const out = await t.ssm.send(new CreateActivationCommand({ IamRole: 'SSMServiceRole', ...input }));
  return { activationId: out.ActivationId!, activationCode: out.ActivationCode! };
}

/** Registers one node and fails the test unless it worked. */
export async function registerTestNode(
  t: TestServer,
  activation: { activationId: string; activationCode: string },
  extra: Omit<Parameters<typeof registerNode>[1], 'activationId' | 'activationCode'> = {},
): Promise<{ instanceId: string; identity: TestIdentity }> {
  const answer = await registerNode(t.url, { ...activation, ...extra });
  if (answer.status !== 200 || !answer.body.instanceId) throw new Error(`registration failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return { instanceId: answer.body.instanceId, identity: answer.identity };
}

/** One node as DescribeInstanceInformation shows it. */
export async function describeNode(t: TestServer, instanceId: string) {
  const out = await t.ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [instanceId] }] }));
  return out.InstanceInformationList?.[0];
}

/** The nodes domain's outbox events about one node, oldest first. */
export async function nodeEvents(t: TestServer, instanceId: string): Promise<{ type: string; payload: Record<string, unknown> }[]> {
  const rows = await t.server.services.db.selectFrom('outbox_events').selectAll().where('event_type', 'like', 'node.%').orderBy('id').execute();
  return rows
    .map((r) => ({ type: r.event_type, payload: JSON.parse(r.payload) as Record<string, unknown> }))
    .filter((e) => e.payload.instanceId === instanceId || e.payload.resourceId === instanceId);
}

/** Polls until `check` holds (gateway writes are batched every second), up to `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
