import { afterAll, beforeAll, expect, it } from 'vitest';
import { DescribeActivationsCommand, type DescribeActivationsCommandInput } from '@aws-sdk/client-ssm';
import { describeEachDatabase, startTestServer, type TestServer } from '../../../testing/test-server.js';
import { createTestActivation, registerTestNode } from '../node-test-support.js';

describeEachDatabase('AmazonSSM.DescribeActivations', (dialect) => {
  let t: TestServer;
  let clockOffsetMs = 0;
  const ids: string[] = [];
  beforeAll(async () => {
    t = await startTestServer(dialect, { clock: () => new Date(Date.now() + clockOffsetMs) });
    for (let i = 0; i < 7; i++) {
      const a = await createTestActivation(t, {
        DefaultInstanceName: i % 2 ? 'odd' : 'even',
        IamRole: i < 3 ? 'RoleA' : 'RoleB',
        RegistrationLimit: 5,
        Tags: [{ Key: 'n', Value: String(i) }],
      });
      ids.push(a.activationId);
      if (i === 0) {
        await registerTestNode(t, a);
        await registerTestNode(t, a);
      }
    }
  });
  afterAll(async () => t?.close());

  async function listAll(input: DescribeActivationsCommandInput = {}) {
    const found = [];
    let NextToken: string | undefined;
    do {
      const page = await t.ssm.send(new DescribeActivationsCommand({ ...input, NextToken }));
      found.push(...page.ActivationList!);
      NextToken = page.NextToken;
    } while (NextToken);
    return found;
  }

  it('lists every activation oldest first, page by page, with counts and tags', async () => {
    const all = await listAll({ MaxResults: 2 });
    expect(all.map((a) => a.ActivationId)).toEqual(ids);
    expect(all[0]).toMatchObject({ RegistrationsCount: 2, RegistrationLimit: 5, Tags: [{ Key: 'n', Value: '0' }], Expired: false });
    const first = await t.ssm.send(new DescribeActivationsCommand({ MaxResults: 3 }));
    expect(first.ActivationList).toHaveLength(3);
    expect(first.NextToken).toEqual(expect.any(String));
    const last = await t.ssm.send(new DescribeActivationsCommand({ MaxResults: 7 }));
    expect(last.NextToken).toBeUndefined();
  });

  it('filters by id, default instance name and role; filters combine', async () => {
    const idsOf = async (Filters: DescribeActivationsCommandInput['Filters']) => (await listAll({ Filters })).map((a) => a.ActivationId);
    expect(await idsOf([{ FilterKey: 'ActivationIds', FilterValues: [ids[2]!, ids[4]!] }])).toEqual([ids[2], ids[4]]);
    expect(await idsOf([{ FilterKey: 'DefaultInstanceName', FilterValues: ['odd'] }])).toEqual([ids[1], ids[3], ids[5]]);
    expect(await idsOf([{ FilterKey: 'IamRole', FilterValues: ['RoleA'] }])).toEqual([ids[0], ids[1], ids[2]]);
    expect(
      await idsOf([
        { FilterKey: 'IamRole', FilterValues: ['RoleB'] },
        { FilterKey: 'DefaultInstanceName', FilterValues: ['even'] },
      ]),
    ).toEqual([ids[4], ids[6]]);
    expect(await idsOf([{ FilterKey: 'ActivationIds', FilterValues: ['00000000-0000-4000-8000-000000000000'] }])).toEqual([]);
  });

  it('reports Expired once the expiration date has passed', async () => {
    const soon = await createTestActivation(t, { ExpirationDate: new Date(Date.now() + 5 * 60_000) });
    const expired = async () =>
      (await t.ssm.send(new DescribeActivationsCommand({ Filters: [{ FilterKey: 'ActivationIds', FilterValues: [soon.activationId] }] }))).ActivationList![0]!
        .Expired;
    expect(await expired()).toBe(false);
    // Six minutes on: still within SigV4's allowed clock skew, past the expiration date.
    clockOffsetMs = 6 * 60_000;
    try {
      expect(await expired()).toBe(true);
    } finally {
      clockOffsetMs = 0;
    }
  });

  it('answers InvalidFilter and InvalidNextToken', async () => {
    await expect(t.ssm.send(new DescribeActivationsCommand({ Filters: [{ FilterKey: 'Nope' as never, FilterValues: ['x'] }] }))).rejects.toMatchObject({
      name: 'InvalidFilter',
    });
    await expect(t.ssm.send(new DescribeActivationsCommand({ Filters: [{ FilterKey: 'IamRole', FilterValues: [] }] }))).rejects.toMatchObject({
      name: 'InvalidFilter',
    });
    await expect(t.ssm.send(new DescribeActivationsCommand({ NextToken: 'garbage' }))).rejects.toMatchObject({ name: 'InvalidNextToken' });
    const page = await t.ssm.send(new DescribeActivationsCommand({ MaxResults: 1 }));
    // A token belongs to the query it was issued for.
    await expect(
      t.ssm.send(new DescribeActivationsCommand({ NextToken: page.NextToken, Filters: [{ FilterKey: 'IamRole', FilterValues: ['RoleA'] }] })),
    ).rejects.toMatchObject({ name: 'InvalidNextToken' });
    await expect(t.ssm.send(new DescribeActivationsCommand({ MaxResults: 51 }))).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
