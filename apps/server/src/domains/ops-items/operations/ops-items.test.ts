import { afterAll, beforeAll, expect, it } from 'vitest';
import { CreateOpsItemCommand, GetOpsItemCommand, UpdateOpsItemCommand, DescribeOpsItemsCommand, ListTagsForResourceCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, type TestServer } from '../../../testing/test-server.js';
import { createUserWithKey, policyDocument } from '../../iam/iam-test-fixtures.js';
import { createOpsItem, opsItemState } from '../ops-item-test-support.js';

describeEachDatabase('OpsItems: Create, Get, Update', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  const get = async (id: string) => (await t.ssm.send(new GetOpsItemCommand({ OpsItemId: id }))).OpsItem!;

  it('creates an Open item with an oi- id and its ARN, and gets every member back', async () => {
    const before = Date.now();
    const out = await t.ssm.send(
      new CreateOpsItemCommand({
        Title: 'Patch compliance: web-1 is missing 3 security updates',
        Description: 'Found by the nightly scan.\n\nSee the patch report.',
        Source: 'tend-patch',
        OpsItemType: '/aws/issue',
        Priority: 2,
        Severity: '1',
        Category: 'Security',
        OperationalData: {
          node: { Value: 'mi-0123456789abcdef0', Type: 'SearchableString' },
          hint: { Value: 'apt-get upgrade', Type: 'String' },
        },
        PlannedStartTime: new Date('2026-12-01T10:00:00Z'),
        PlannedEndTime: new Date('2026-12-01T12:00:00Z'),
        ActualStartTime: new Date('2026-12-01T10:05:00Z'),
        ActualEndTime: new Date('2026-12-01T11:00:00Z'),
        Tags: [{ Key: 'Team', Value: 'ops' }],
        AccountId: TEST_ACCOUNT,
      }),
    );
    expect(out.OpsItemId).toMatch(/^oi-[0-9a-f]{12}$/);
    expect(out.OpsItemArn).toBe(`arn:aws:ssm:us-east-1:${TEST_ACCOUNT}:opsitem/${out.OpsItemId}`);
    // The tags it was created with are the OpsItem's, as the tagging operations see them.
    expect((await t.ssm.send(new ListTagsForResourceCommand({ ResourceType: 'OpsItem', ResourceId: out.OpsItemId }))).TagList).toEqual([{ Key: 'Team', Value: 'ops' }]);
    const item = await get(out.OpsItemId!);
    expect(item).toMatchObject({
      OpsItemId: out.OpsItemId,
      OpsItemArn: out.OpsItemArn,
      Title: 'Patch compliance: web-1 is missing 3 security updates',
      Description: 'Found by the nightly scan.\n\nSee the patch report.',
      Source: 'tend-patch',
      OpsItemType: '/aws/issue',
      Status: 'Open',
      Priority: 2,
      Severity: '1',
      Category: 'Security',
      Version: '1',
      CreatedBy: `arn:aws:iam::${TEST_ACCOUNT}:root`,
      LastModifiedBy: `arn:aws:iam::${TEST_ACCOUNT}:root`,
      OperationalData: {
        node: { Value: 'mi-0123456789abcdef0', Type: 'SearchableString' },
        hint: { Value: 'apt-get upgrade', Type: 'String' },
      },
      PlannedStartTime: new Date('2026-12-01T10:00:00Z'),
      PlannedEndTime: new Date('2026-12-01T12:00:00Z'),
      ActualStartTime: new Date('2026-12-01T10:05:00Z'),
      ActualEndTime: new Date('2026-12-01T11:00:00Z'),
    });
    expect(Math.abs(item.CreatedTime!.getTime() - before)).toBeLessThan(5_000);
    expect(item.LastModifiedTime).toEqual(item.CreatedTime);
    const tags = await t.server.services.db.selectFrom('resource_tags').select(['tag_key', 'tag_value']).where('resource_type', '=', 'OpsItem').where('resource_id', '=', out.OpsItemId!).execute();
    expect(tags).toEqual([{ tag_key: 'Team', tag_value: 'ops' }]);
  });

  it('defaults the type to /aws/issue and leaves unset members out', async () => {
    const id = await createOpsItem(t.ssm);
    const item = await get(id);
    expect(item.OpsItemType).toBe('/aws/issue');
    for (const member of ['Priority', 'Severity', 'Category', 'OperationalData', 'Notifications', 'RelatedOpsItems', 'PlannedStartTime']) expect(item).not.toHaveProperty(member);
  });

  it('updates status and fields, merges and deletes operational data, bumps the version and records who changed it', async () => {
    const related = await createOpsItem(t.ssm, { Title: 'Related' });
    const id = await createOpsItem(t.ssm, { OperationalData: { a: { Value: '1', Type: 'String' }, b: { Value: '2', Type: 'SearchableString' } } });
    await t.ssm.send(
      new UpdateOpsItemCommand({
        OpsItemId: id,
        Status: 'InProgress',
        Title: 'Disk full',
        Priority: 1,
        Severity: '2',
        Category: 'Availability',
        OperationalData: { c: { Value: '3', Type: 'String' }, a: { Value: 'one', Type: 'String' } },
        OperationalDataToDelete: ['b'],
        RelatedOpsItems: [{ OpsItemId: related }],
        ActualStartTime: new Date('2026-12-02T00:00:00Z'),
      }),
    );
    const item = await get(id);
    expect(item).toMatchObject({
      Status: 'InProgress',
      Title: 'Disk full',
      Description: 'The root volume is 95% full.',
      Priority: 1,
      Severity: '2',
      Category: 'Availability',
      Version: '2',
      OperationalData: { a: { Value: 'one', Type: 'String' }, c: { Value: '3', Type: 'String' } },
      RelatedOpsItems: [{ OpsItemId: related }],
      ActualStartTime: new Date('2026-12-02T00:00:00Z'),
    });
    expect(item.OperationalData).not.toHaveProperty('b');
    expect(item.LastModifiedTime!.getTime()).toBeGreaterThanOrEqual(item.CreatedTime!.getTime());
    // Every status Systems Manager defines is accepted.
    for (const Status of ['Resolved', 'Pending', 'Closed', 'Open'] as const) await t.ssm.send(new UpdateOpsItemCommand({ OpsItemId: id, Status }));
    expect((await get(id)).Version).toBe('6');
  });

  it('answers OpsItemNotFoundException for an unknown id', async () => {
    await expect(t.ssm.send(new GetOpsItemCommand({ OpsItemId: 'oi-000000000000' }))).rejects.toMatchObject({ name: 'OpsItemNotFoundException' });
    await expect(t.ssm.send(new UpdateOpsItemCommand({ OpsItemId: 'oi-000000000000', Status: 'Resolved' }))).rejects.toMatchObject({ name: 'OpsItemNotFoundException' });
  });

  it('refuses bad input with ValidationException or OpsItemInvalidParameterException naming the member, and writes nothing', async () => {
    const id = await createOpsItem(t.ssm);
    const before = await opsItemState(t);
    const create = (input: object) => t.ssm.send(new CreateOpsItemCommand({ Title: 'T', Description: 'D', Source: 'monitoring', ...input }));
    const validation: object[] = [
      { Title: '' },
      { Title: 'x'.repeat(1025) },
      { Title: '   ' },
      { Description: ' \n ' },
      { Description: 'x'.repeat(2049) },
      { Source: 'x'.repeat(129) },
      { Priority: 0 },
      { Priority: 6 },
      { OperationalData: { k: { Value: 'v', Type: 'Number' } } },
      { OperationalData: { '': { Value: 'v' } } },
      { AccountId: '12' },
      { RelatedOpsItems: [{ OpsItemId: 'not-an-id' }] },
      { Tags: [{ Key: 'aws:x', Value: '1' }] },
    ];
    for (const input of validation) await expect(create(input), JSON.stringify(input).slice(0, 80)).rejects.toMatchObject({ name: 'ValidationException' });
    const invalid: Array<[object, string]> = [
      [{ Source: 'aws.ec2' }, 'Source'],
      [{ Severity: '5' }, 'Severity'],
      [{ OperationalData: { 'aws:thing': { Value: 'v' } } }, 'OperationalData'],
      [{ OperationalData: { '/ssm/x': { Value: 'v' } } }, 'OperationalData'],
      [{ OperationalData: { big: { Value: 'x'.repeat(20 * 1024 + 1) } } }, 'OperationalData'],
      [{ OperationalData: { '/aws/dedup': { Value: 'not json' } } }, 'OperationalData'],
      [{ Notifications: [{ Arn: 'arn:aws:sns:us-east-1:123456789012:no-such-topic' }] }, 'Notifications'],
      [{ Notifications: [{ Arn: 'arn:aws:sns:eu-west-1:999999999999:theirs' }] }, 'Notifications'],
      [{ RelatedOpsItems: [{ OpsItemId: 'oi-ffffffffffff' }] }, 'RelatedOpsItems'],
    ];
    for (const [input, member] of invalid) {
      await expect(create(input), member).rejects.toMatchObject({ name: 'OpsItemInvalidParameterException', ParameterNames: expect.arrayContaining([member]) });
    }
    const update = (input: object) => t.ssm.send(new UpdateOpsItemCommand({ OpsItemId: id, ...input }));
    await expect(update({ Status: 'Done' })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(update({ OpsItemId: 'oi-123' })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(update({ Severity: '9' })).rejects.toMatchObject({ name: 'OpsItemInvalidParameterException', ParameterNames: ['Severity'] });
    await expect(update({ OperationalData: { a: { Value: '1' } }, OperationalDataToDelete: ['a'] })).rejects.toMatchObject({ name: 'OpsItemInvalidParameterException' });
    await expect(update({ RelatedOpsItems: [{ OpsItemId: id }] })).rejects.toMatchObject({ name: 'OpsItemInvalidParameterException', ParameterNames: ['RelatedOpsItems'] });
    // A refusal found inside the transaction (the topic) rolls the whole update back, status included.
    await expect(update({ Status: 'Resolved', Notifications: [{ Arn: 'arn:aws:sns:us-east-1:123456789012:missing' }] })).rejects.toMatchObject({ name: 'OpsItemInvalidParameterException' });
    expect(await opsItemState(t)).toEqual(before);
  });

  it('needs ssm:CreateOpsItem, ssm:GetOpsItem, ssm:UpdateOpsItem and ssm:DescribeOpsItems on the item ARN', async () => {
    const id = await createOpsItem(t.ssm);
    const reader = await createUserWithKey(
      t,
      'ops-reader',
      policyDocument({ Effect: 'Allow', Action: ['ssm:GetOpsItem', 'ssm:DescribeOpsItems'], Resource: `arn:aws:ssm:us-east-1:${TEST_ACCOUNT}:opsitem/*` }),
    );
    const before = await opsItemState(t);
    await expect(reader.ssm.send(new CreateOpsItemCommand({ Title: 'T', Description: 'D', Source: 'monitoring' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(reader.ssm.send(new UpdateOpsItemCommand({ OpsItemId: id, Status: 'Resolved' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(await opsItemState(t)).toEqual(before);
    await expect(reader.ssm.send(new GetOpsItemCommand({ OpsItemId: id }))).resolves.toMatchObject({ OpsItem: { OpsItemId: id } });
    await expect(reader.ssm.send(new DescribeOpsItemsCommand({}))).resolves.toMatchObject({ OpsItemSummaries: expect.any(Array) });

    // Creating with tags needs the tagging permission as well.
    const creator = await createUserWithKey(t, 'ops-creator', policyDocument({ Effect: 'Allow', Action: 'ssm:CreateOpsItem', Resource: '*' }));
    await expect(creator.ssm.send(new CreateOpsItemCommand({ Title: 'T', Description: 'D', Source: 'monitoring', Tags: [{ Key: 'a', Value: 'b' }] }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    const { OpsItemId } = await creator.ssm.send(new CreateOpsItemCommand({ Title: 'T', Description: 'D', Source: 'monitoring' }));
    expect((await get(OpsItemId!)).CreatedBy).toBe(`arn:aws:iam::${TEST_ACCOUNT}:user/ops-creator`);

    // Changes, allowed or refused, are in the audit log; reads are not.
    const { AuditEvents } = await t.api.tend('ListAuditEvents');
    const opsEvents = AuditEvents.filter((e: { Operation: string }) => e.Operation.includes('OpsItem')).map((e: { Operation: string; Outcome: string }) => `${e.Operation} ${e.Outcome}`);
    expect(opsEvents.slice(0, 4)).toEqual([
      'AmazonSSM.CreateOpsItem Success',
      'AmazonSSM.CreateOpsItem AccessDeniedException',
      'AmazonSSM.UpdateOpsItem AccessDeniedException',
      'AmazonSSM.CreateOpsItem AccessDeniedException',
    ]);
    expect(opsEvents.some((e: string) => e.includes('GetOpsItem') || e.includes('DescribeOpsItems'))).toBe(false);
  });
});
