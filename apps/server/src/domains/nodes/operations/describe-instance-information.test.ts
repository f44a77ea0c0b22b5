import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  AddTagsToResourceCommand,
  DescribeInstanceInformationCommand,
  type DescribeInstanceInformationCommandInput,
  type InstanceInformationStringFilter,
} from '@aws-sdk/client-ssm';
import { describeEachDatabase, startTestServer, type TestServer } from '../../../testing/test-server.js';
import { TEND_VERSION } from '../../../version.js';
import { testNodeInfo } from '../../../gateway/test-agent.js';
import { createTestActivation, registerTestNode } from '../node-test-support.js';

describeEachDatabase('AmazonSSM.DescribeInstanceInformation', (dialect) => {
  let t: TestServer;
  let activationA: string;
  let activationB: string;
  /** All node ids in id order, and some by role in the fixture. */
  let all: string[];
  let mac: string;
  let windows: string;
  let lost: string;
  let inactive: string;
  let web: string[];
  let db: string;
  let oldAgent: string[];

  beforeAll(async () => {
    t = await startTestServer(dialect);
    const a = await createTestActivation(t, { IamRole: 'RoleA', RegistrationLimit: 20, DefaultInstanceName: 'fleet-a', Tags: [{ Key: 'env', Value: 'prod' }] });
    const b = await createTestActivation(t, { IamRole: 'RoleB', RegistrationLimit: 20 });
    activationA = a.activationId;
    activationB = b.activationId;
    const ids: string[] = [];
    for (let i = 0; i < 9; i++) {
      const info = testNodeInfo({ computerName: `a-${i}`, agentVersion: i < 2 ? '0.0.9' : TEND_VERSION });
      ids.push((await registerTestNode(t, a, { info })).instanceId);
    }
    oldAgent = ids.slice(0, 2);
    mac = (await registerTestNode(t, b, { info: testNodeInfo({ platformType: 'MacOS', platformName: 'macOS', platformVersion: '14.5', agentVersion: TEND_VERSION }) }))
      .instanceId;
    windows = (await registerTestNode(t, b, { info: testNodeInfo({ platformType: 'Windows', platformName: 'Windows Server', agentVersion: TEND_VERSION }) }))
      .instanceId;
    lost = (await registerTestNode(t, b, { name: 'lost-one' })).instanceId;
    inactive = (await registerTestNode(t, b)).instanceId;
    ids.push(mac, windows, lost, inactive);
    all = [...ids].sort();

    await t.server.services.db.updateTable('managed_nodes').set({ ping_status: 'ConnectionLost' }).where('instance_id', '=', lost).execute();
    await t.api.call('AmazonSSM.DeregisterManagedInstance', { InstanceId: inactive });
    web = [ids[3]!, ids[4]!].sort();
    for (const id of web) await t.ssm.send(new AddTagsToResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: id, Tags: [{ Key: 'role', Value: 'web' }] }));
    db = ids[5]!;
    await t.ssm.send(new AddTagsToResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: db, Tags: [{ Key: 'role', Value: 'db' }, { Key: 'backup', Value: '' }] }));
  });
  afterAll(async () => t?.close());

  async function listAll(input: DescribeInstanceInformationCommandInput = {}) {
    const found = [];
    let NextToken: string | undefined;
    do {
      const page = await t.ssm.send(new DescribeInstanceInformationCommand({ MaxResults: 5, ...input, NextToken }));
      found.push(...page.InstanceInformationList!);
      NextToken = page.NextToken;
    } while (NextToken);
    return found;
  }
  const idsFor = async (Filters: InstanceInformationStringFilter[]) => (await listAll({ Filters })).map((n) => n.InstanceId);

  it('answers the Systems Manager shape', async () => {
    const [node] = await listAll({ Filters: [{ Key: 'InstanceIds', Values: [mac] }] });
    expect(node).toEqual({
      InstanceId: mac,
      PingStatus: 'Online',
      LastPingDateTime: expect.any(Date),
      AgentVersion: TEND_VERSION,
      IsLatestVersion: true,
      PlatformType: 'MacOS',
      PlatformName: 'macOS',
      PlatformVersion: '14.5',
      ActivationId: activationB,
      IamRole: 'RoleB',
      RegistrationDate: expect.any(Date),
      ResourceType: 'ManagedInstance',
      IPAddress: '10.0.0.11',
      ComputerName: 'web-1.example.internal',
      SourceId: mac,
      SourceType: 'AWS::SSM::ManagedInstance',
    });
    const [fromA] = await listAll({ Filters: [{ Key: 'InstanceIds', Values: [oldAgent[0]!] }] });
    expect(fromA).toMatchObject({ Name: 'fleet-a', IsLatestVersion: false, AgentVersion: '0.0.9' });
  });

  it('pages through every node in id order', async () => {
    expect((await listAll()).map((n) => n.InstanceId)).toEqual(all);
    const first = await t.ssm.send(new DescribeInstanceInformationCommand({}));
    expect(first.InstanceInformationList).toHaveLength(10);
    expect(first.NextToken).toEqual(expect.any(String));
    const whole = await t.ssm.send(new DescribeInstanceInformationCommand({ MaxResults: 50 }));
    expect(whole.InstanceInformationList).toHaveLength(all.length);
    expect(whole.NextToken).toBeUndefined();
    for (const MaxResults of [4, 51]) {
      await expect(t.ssm.send(new DescribeInstanceInformationCommand({ MaxResults }))).rejects.toMatchObject({ name: 'ValidationException' });
    }
    await expect(t.ssm.send(new DescribeInstanceInformationCommand({ NextToken: 'x' }))).rejects.toMatchObject({ name: 'InvalidNextToken' });
    await expect(
      t.ssm.send(new DescribeInstanceInformationCommand({ NextToken: first.NextToken, Filters: [{ Key: 'PingStatus', Values: ['Online'] }] })),
    ).rejects.toMatchObject({ name: 'InvalidNextToken' });
  });

  it('filters by status, platform, agent version, activation, role, id and resource type', async () => {
    expect(await idsFor([{ Key: 'PingStatus', Values: ['ConnectionLost'] }])).toEqual([lost]);
    expect(await idsFor([{ Key: 'PingStatus', Values: ['Inactive'] }])).toEqual([inactive]);
    expect(await idsFor([{ Key: 'PingStatus', Values: ['ConnectionLost', 'Inactive'] }])).toEqual([lost, inactive].sort());
    expect(await idsFor([{ Key: 'PlatformTypes', Values: ['MacOS', 'Windows'] }])).toEqual([mac, windows].sort());
    expect(await idsFor([{ Key: 'AgentVersion', Values: ['0.0.9'] }])).toEqual([...oldAgent].sort());
    expect(await idsFor([{ Key: 'ActivationIds', Values: [activationB] }])).toEqual([mac, windows, lost, inactive].sort());
    expect(await idsFor([{ Key: 'IamRole', Values: ['RoleA'] }])).toHaveLength(9);
    expect(await idsFor([{ Key: 'InstanceIds', Values: [mac, lost, 'mi-00000000000000000'] }])).toEqual([mac, lost].sort());
    expect(await idsFor([{ Key: 'SourceIds', Values: [mac] }])).toEqual([mac]);
    expect(await idsFor([{ Key: 'ResourceType', Values: ['ManagedInstance'] }])).toEqual(all);
    expect(await idsFor([{ Key: 'ResourceType', Values: ['EC2Instance'] }])).toEqual([]);
    expect(await idsFor([{ Key: 'SourceTypes', Values: ['AWS::SSM::ManagedInstance'] }])).toEqual(all);
    // Tend runs no associations: no node has an association status.
    expect(await idsFor([{ Key: 'AssociationStatus', Values: ['Success'] }])).toEqual([]);
    // Filters are ANDed.
    expect(
      await idsFor([
        { Key: 'ActivationIds', Values: [activationB] },
        { Key: 'PingStatus', Values: ['Online'] },
      ]),
    ).toEqual([mac, windows].sort());
  });

  it('filters by tag value and by tag key, including tags copied from the activation', async () => {
    expect(await idsFor([{ Key: 'tag:role', Values: ['web'] }])).toEqual(web);
    expect(await idsFor([{ Key: 'tag:role', Values: ['web', 'db'] }])).toEqual([...web, db].sort());
    expect(await idsFor([{ Key: 'tag-key', Values: ['backup'] }])).toEqual([db]);
    expect(await idsFor([{ Key: 'tag-key', Values: ['backup', 'role'] }])).toEqual([...web, db].sort());
    expect(await idsFor([{ Key: 'tag:env', Values: ['prod'] }])).toHaveLength(9);
    expect(
      await idsFor([
        { Key: 'tag:env', Values: ['prod'] },
        { Key: 'tag:role', Values: ['db'] },
        { Key: 'PingStatus', Values: ['Online'] },
      ]),
    ).toEqual([db]);
  });

  it('takes the legacy InstanceInformationFilterList, without tag filters', async () => {
    const legacy = async (key: string, valueSet: string[]) =>
      (await listAll({ InstanceInformationFilterList: [{ key: key as never, valueSet }] })).map((n) => n.InstanceId);
    expect(await legacy('PlatformTypes', ['Windows'])).toEqual([windows]);
    expect(await legacy('PingStatus', ['ConnectionLost'])).toEqual([lost]);
    expect(await legacy('InstanceIds', [mac])).toEqual([mac]);
    await expect(legacy('tag:role', ['web'])).rejects.toMatchObject({ name: 'InvalidFilterKey' });
    await expect(
      t.ssm.send(
        new DescribeInstanceInformationCommand({
          InstanceInformationFilterList: [{ key: 'PingStatus', valueSet: ['Online'] }],
          Filters: [{ Key: 'PingStatus', Values: ['Online'] }],
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('answers InvalidFilterKey and InvalidInstanceInformationFilterValue', async () => {
    await expect(idsFor([{ Key: 'Color', Values: ['red'] }])).rejects.toMatchObject({ name: 'InvalidFilterKey' });
    await expect(idsFor([{ Key: 'tag:', Values: ['x'] }])).rejects.toMatchObject({ name: 'InvalidFilterKey' });
    await expect(idsFor([{ Key: 'PingStatus', Values: ['Asleep'] }])).rejects.toMatchObject({ name: 'InvalidInstanceInformationFilterValue' });
    await expect(idsFor([{ Key: 'PlatformTypes', Values: ['Linux', 'BeOS'] }])).rejects.toMatchObject({
      name: 'InvalidInstanceInformationFilterValue',
    });
    await expect(idsFor([{ Key: 'PingStatus', Values: [] }])).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
