import { afterAll, beforeAll, expect, it } from 'vitest';
import { DescribeActivationsCommand, ListTagsForResourceCommand } from '@aws-sdk/client-ssm';
import { AGENT_REGISTER_PATH } from '@tend/protocol';
import { describeEachDatabase, startTestServer, type TestServer } from '../testing/test-server.js';
import { createTestActivation, describeNode, nodeEvents } from '../domains/nodes/node-test-support.js';
import { everythingStored } from '../domains/parameters/operations/test-support.js';
import { newIdentity, registerNode, testNodeInfo } from './test-agent.js';

describeEachDatabase('POST /agent/v1/register', (dialect) => {
  let t: TestServer;
  // Registrations read the server clock; moving it tests expiry without waiting (the API itself is not called meanwhile).
  let clockOffsetMs = 0;
  beforeAll(async () => {
    t = await startTestServer(dialect, { clock: () => new Date(Date.now() + clockOffsetMs) });
  });
  afterAll(async () => t?.close());

  const count = async (table: 'managed_nodes' | 'resource_tags' | 'outbox_events') =>
    Number((await t.server.services.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const registrationsOf = async (activationId: string) =>
    (await t.ssm.send(new DescribeActivationsCommand({ Filters: [{ FilterKey: 'ActivationIds', FilterValues: [activationId] }] }))).ActivationList![0]!.RegistrationsCount;

  it('registers a node with an mi- id, the activation tags and default name, and an event', async () => {
    const activation = await createTestActivation(t, {
      DefaultInstanceName: 'edge',
      RegistrationLimit: 3,
      Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'web' }],
    });
    const answer = await registerNode(t.url, { ...activation, tags: [{ Key: 'team', Value: 'asked' }, { Key: 'rack', Value: 'r12' }] });
    expect(answer.status).toBe(200);
    const instanceId = answer.body.instanceId!;
    expect(instanceId).toMatch(/^mi-[0-9a-f]{17}$/);

    const node = await describeNode(t, instanceId);
    expect(node).toMatchObject({ InstanceId: instanceId, Name: 'edge', PingStatus: 'Online', ActivationId: activation.activationId, IamRole: 'SSMServiceRole' });
    const { TagList } = await t.ssm.send(new ListTagsForResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: instanceId }));
    // The activation's value wins for a key the agent also asked for.
    expect(TagList).toEqual([{ Key: 'env', Value: 'prod' }, { Key: 'rack', Value: 'r12' }, { Key: 'team', Value: 'web' }]);
    expect(await nodeEvents(t, instanceId)).toEqual([
      { type: 'node.registered', payload: { instanceId, activationId: activation.activationId, name: 'edge', pingStatus: 'Online' } },
    ]);
    expect(await registrationsOf(activation.activationId)).toBe(1);

    // The agent's own name wins over the activation's default.
    const named = await registerNode(t.url, { ...activation, name: 'db-7' });
    expect((await describeNode(t, named.body.instanceId!))?.Name).toBe('db-7');
  });

  it('keeps only a hash of the activation code', async () => {
    const activation = await createTestActivation(t);
    await registerNode(t.url, activation);
    expect(await everythingStored(t)).not.toContain(activation.activationCode);
  });

  it('refuses registrations beyond the limit', async () => {
    const activation = await createTestActivation(t, { RegistrationLimit: 2 });
    expect((await registerNode(t.url, activation)).status).toBe(200);
    expect((await registerNode(t.url, activation)).status).toBe(200);
    const third = await registerNode(t.url, activation);
    expect(third.status).toBe(400);
    expect(third.body).toEqual({ __type: 'RegistrationLimitExceeded', message: expect.stringContaining('registration limit of 2') });
    expect(await registrationsOf(activation.activationId)).toBe(2);
  });

  it('never passes the limit under concurrent registrations, and leaves nothing behind for the refused', async () => {
    const activation = await createTestActivation(t, { RegistrationLimit: 5, Tags: [{ Key: 'wave', Value: '1' }] });
    const [nodesBefore, tagsBefore, eventsBefore] = [await count('managed_nodes'), await count('resource_tags'), await count('outbox_events')];
    const answers = await Promise.all(Array.from({ length: 20 }, () => registerNode(t.url, activation)));
    const ok = answers.filter((a) => a.status === 200);
    expect(ok).toHaveLength(5);
    expect(answers.filter((a) => a.status !== 200).map((a) => a.body)).toEqual(Array(15).fill({ __type: 'RegistrationLimitExceeded', message: expect.any(String) }));
    expect(new Set(ok.map((a) => a.body.instanceId)).size).toBe(5);
    expect(await registrationsOf(activation.activationId)).toBe(5);
    expect(await count('managed_nodes')).toBe(nodesBefore + 5);
    expect(await count('resource_tags')).toBe(tagsBefore + 5);
    expect(await count('outbox_events')).toBe(eventsBefore + 5);
  });

  it('refuses an expired activation', async () => {
    const activation = await createTestActivation(t, { ExpirationDate: new Date(Date.now() + 3600_000) });
    clockOffsetMs = 3600_000 + 1000;
    try {
      const answer = await registerNode(t.url, activation);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ __type: 'ActivationExpired', message: expect.stringContaining('expired') });
    } finally {
      clockOffsetMs = 0;
    }
    expect(await registrationsOf(activation.activationId)).toBe(0);
    const [listed] = (await t.ssm.send(new DescribeActivationsCommand({ Filters: [{ FilterKey: 'ActivationIds', FilterValues: [activation.activationId] }] })))
      .ActivationList!;
    expect(listed?.Expired).toBe(false);
  });

  it('answers a wrong code, an unknown id and a deleted activation identically', async () => {
    const activation = await createTestActivation(t, { RegistrationLimit: 10 });
    const deleted = await createTestActivation(t);
    await t.api.call('AmazonSSM.DeleteActivation', { ActivationId: deleted.activationId });
    const nodesBefore = await count('managed_nodes');

    const answers = [
      await registerNode(t.url, { ...activation, activationCode: activation.activationCode.toLowerCase() + 'x' }),
      await registerNode(t.url, { activationId: '00000000-0000-4000-8000-000000000000', activationCode: activation.activationCode }),
      await registerNode(t.url, deleted),
    ];
    for (const a of answers) {
      expect(a.status).toBe(400);
      expect(a.body).toEqual(answers[0]!.body);
    }
    expect(answers[0]!.body.__type).toBe('InvalidActivation');
    expect(await count('managed_nodes')).toBe(nodesBefore);
    expect(await registrationsOf(activation.activationId)).toBe(0);
  });

  it('validates the body and the public key', async () => {
    const activation = await createTestActivation(t);
    const post = (body: string) => fetch(t.url + AGENT_REGISTER_PATH, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const notJson = await post('{nope');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ __type: 'SerializationException' });
    const missing = await post(JSON.stringify({ activationId: activation.activationId }));
    expect(await missing.json()).toMatchObject({ __type: 'ValidationException' });

    const rsaLike = await post(
      JSON.stringify({ ...activation, publicKey: Buffer.from('not a key').toString('base64'), info: testNodeInfo() }),
    );
    expect(rsaLike.status).toBe(400);
    expect(await rsaLike.json()).toMatchObject({ __type: 'ValidationException', message: expect.stringContaining('Ed25519') });
    const badTag = await registerNode(t.url, { ...activation, tags: [{ Key: 'aws:owner', Value: 'x' }] });
    expect(badTag.body.__type).toBe('ValidationException');
    // None of these used up the single registration.
    expect((await registerNode(t.url, { ...activation, identity: newIdentity() })).status).toBe(200);
  });
});

describeEachDatabase('POST /agent/v1/register rate limit', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  it('throttles an address after 10 wrong codes, and only for wrong codes', async () => {
    // A fleet registering at once from one address is not slowed down.
    const fleet = await createTestActivation(t, { RegistrationLimit: 30 });
    const registered = await Promise.all(Array.from({ length: 30 }, () => registerNode(t.url, fleet)));
    expect(registered.every((a) => a.status === 200)).toBe(true);
    // Limit reached: not a guess, so never throttled.
    for (let i = 0; i < 12; i++) expect((await registerNode(t.url, fleet)).body.__type).toBe('RegistrationLimitExceeded');

    const wrong = { ...fleet, activationCode: 'A'.repeat(20) };
    for (let i = 0; i < 10; i++) expect((await registerNode(t.url, wrong)).body.__type).toBe('InvalidActivation');
    const throttled = await registerNode(t.url, wrong);
    expect(throttled.status).toBe(400);
    expect(throttled.body).toEqual({ __type: 'ThrottlingException', message: expect.stringContaining('Too many failed registration attempts') });
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    // The address is throttled, whatever it sends.
    const other = await createTestActivation(t);
    expect((await registerNode(t.url, other)).body.__type).toBe('ThrottlingException');
  });
});
