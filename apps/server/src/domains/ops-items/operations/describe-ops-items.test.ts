import { afterAll, beforeAll, expect, it } from 'vitest';
import { DescribeOpsItemsCommand, UpdateOpsItemCommand, paginateDescribeOpsItems, type OpsItemFilter } from '@aws-sdk/client-ssm';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, type TestServer } from '../../../testing/test-server.js';
import { createOpsItem } from '../ops-item-test-support.js';

describeEachDatabase('OpsItems: DescribeOpsItems', (dialect) => {
  let t: TestServer;
  const ids: Record<string, string> = {};
  let between = 0;

  beforeAll(async () => {
    t = await startTestServer(dialect);
    ids.disk = await createOpsItem(t.ssm, {
      Title: 'Disk almost full on web-1',
      Source: 'monitoring',
      Priority: 1,
      Severity: '1',
      Category: 'Availability',
      OperationalData: { node: { Value: 'web-1', Type: 'SearchableString' }, secret: { Value: 'hidden', Type: 'String' } },
    });
    ids.patch = await createOpsItem(t.ssm, { Title: 'Missing patches on web-2', Source: 'tend-patch', Priority: 3, Severity: '2', Category: 'Security', OperationalData: { node: { Value: 'web-2', Type: 'SearchableString' } } });
    await new Promise((r) => setTimeout(r, 30));
    between = Date.now();
    await new Promise((r) => setTimeout(r, 30));
    ids.change = await createOpsItem(t.ssm, { Title: 'Rotate the TLS certificate', Source: 'people', Priority: 5, OpsItemType: '/aws/changerequest' });
    await t.ssm.send(new UpdateOpsItemCommand({ OpsItemId: ids.patch, Status: 'Resolved' }));
  });
  afterAll(async () => t?.close());

  const find = async (...filters: OpsItemFilter[]) =>
    ((await t.ssm.send(new DescribeOpsItemsCommand({ OpsItemFilters: filters }))).OpsItemSummaries ?? []).map((s) => s.OpsItemId);
  const f = (Key: string, Operator: string, ...Values: string[]) => ({ Key, Operator, Values }) as OpsItemFilter;

  it('lists every item newest first, with its summary and only its searchable operational data', async () => {
    const { OpsItemSummaries } = await t.ssm.send(new DescribeOpsItemsCommand({}));
    expect(OpsItemSummaries!.map((s) => s.OpsItemId)).toEqual([ids.change, ids.patch, ids.disk]);
    expect(OpsItemSummaries![2]).toMatchObject({
      OpsItemId: ids.disk,
      Title: 'Disk almost full on web-1',
      Source: 'monitoring',
      Status: 'Open',
      Priority: 1,
      Severity: '1',
      Category: 'Availability',
      OpsItemType: '/aws/issue',
      CreatedBy: `arn:aws:iam::${TEST_ACCOUNT}:root`,
      OperationalData: { node: { Value: 'web-1', Type: 'SearchableString' } },
    });
    expect(OpsItemSummaries![2]!.CreatedTime).toBeInstanceOf(Date);
    expect(OpsItemSummaries![2]!.OperationalData).not.toHaveProperty('secret');
  });

  it('filters by each kind of key, ANDs filters and ORs values', async () => {
    expect(await find(f('Status', 'Equal', 'Open'))).toEqual([ids.change, ids.disk]);
    expect(await find(f('Status', 'Equal', 'Open', 'Resolved'))).toEqual([ids.change, ids.patch, ids.disk]);
    expect(await find(f('Priority', 'Equal', '3'))).toEqual([ids.patch]);
    expect(await find(f('Priority', 'LessThan', '3'))).toEqual([ids.disk]);
    expect(await find(f('Priority', 'GreaterThan', '2'))).toEqual([ids.change, ids.patch]);
    expect(await find(f('Severity', 'Equal', '2'))).toEqual([ids.patch]);
    expect(await find(f('Source', 'Equal', 'monitoring'))).toEqual([ids.disk]);
    expect(await find(f('Source', 'Contains', 'PATCH'))).toEqual([ids.patch]);
    expect(await find(f('Title', 'Contains', 'web-'))).toEqual([ids.patch, ids.disk]);
    expect(await find(f('Title', 'Equal', 'Rotate the TLS certificate'))).toEqual([ids.change]);
    expect(await find(f('OpsItemId', 'Equal', ids.disk!, ids.change!))).toEqual([ids.change, ids.disk]);
    expect(await find(f('Category', 'Equal', 'Security'))).toEqual([ids.patch]);
    expect(await find(f('OpsItemType', 'Equal', '/aws/changerequest'))).toEqual([ids.change]);
    expect(await find(f('CreatedTime', 'GreaterThan', new Date(between).toISOString()))).toEqual([ids.change]);
    expect(await find(f('CreatedTime', 'LessThan', new Date(between).toISOString()))).toEqual([ids.patch, ids.disk]);
    // The update moved the resolved item's modification time past the boundary.
    expect(await find(f('LastModifiedTime', 'GreaterThan', String(between / 1000)))).toEqual([ids.change, ids.patch]);
    expect(await find(f('OperationalData', 'Equal', JSON.stringify({ key: 'node', value: 'web-2' })))).toEqual([ids.patch]);
    // String data is not searchable.
    expect(await find(f('OperationalData', 'Equal', JSON.stringify({ key: 'secret', value: 'hidden' })))).toEqual([]);
    expect(await find(f('OperationalDataKey', 'Equal', 'node'))).toEqual([ids.patch, ids.disk]);
    expect(await find(f('OperationalDataValue', 'Contains', 'web-1'))).toEqual([ids.disk]);
    expect(await find(f('Status', 'Equal', 'Open'), f('Title', 'Contains', 'web'))).toEqual([ids.disk]);
    expect(await find(f('AccountId', 'Equal', TEST_ACCOUNT))).toHaveLength(3);
  });

  it('pages with MaxResults and NextToken, bound to the query', async () => {
    const first = await t.ssm.send(new DescribeOpsItemsCommand({ MaxResults: 2 }));
    expect(first.OpsItemSummaries!.map((s) => s.OpsItemId)).toEqual([ids.change, ids.patch]);
    expect(first.NextToken).toBeTruthy();
    // An item created between two pages does not shift the next one.
    const late = await createOpsItem(t.ssm, { Title: 'Late' });
    const second = await t.ssm.send(new DescribeOpsItemsCommand({ MaxResults: 2, NextToken: first.NextToken }));
    expect(second.OpsItemSummaries!.map((s) => s.OpsItemId)).toEqual([ids.disk]);
    expect(second.NextToken).toBeUndefined();
    const all: string[] = [];
    for await (const page of paginateDescribeOpsItems({ client: t.ssm, pageSize: 1 }, {})) all.push(...page.OpsItemSummaries!.map((s) => s.OpsItemId!));
    expect(all).toEqual([late, ids.change, ids.patch, ids.disk]);
    await expect(t.ssm.send(new DescribeOpsItemsCommand({ MaxResults: 1, OpsItemFilters: [f('Status', 'Equal', 'Open')], NextToken: first.NextToken }))).rejects.toMatchObject({
      name: 'InvalidNextToken',
    });
  });

  it('refuses malformed filters', async () => {
    const refused = async (filters: OpsItemFilter[], name: string) =>
      expect(t.ssm.send(new DescribeOpsItemsCommand({ OpsItemFilters: filters }))).rejects.toMatchObject({ name });
    await refused([f('Status', 'Contains', 'Op')], 'OpsItemInvalidParameterException');
    await refused([f('CreatedTime', 'Equal', '2026-01-01T00:00:00Z')], 'OpsItemInvalidParameterException');
    await refused([f('CreatedTime', 'GreaterThan', 'yesterday')], 'OpsItemInvalidParameterException');
    await refused([f('Priority', 'Equal', 'high')], 'OpsItemInvalidParameterException');
    await refused([f('OperationalData', 'Equal', 'node=web-1')], 'OpsItemInvalidParameterException');
    await refused([f('Title', 'Equal', 'x'.repeat(101))], 'OpsItemInvalidParameterException');
    await refused([f('ChangeRequestByTemplate', 'Equal', 'x')], 'OpsItemInvalidParameterException');
    await refused([f('Status', 'Like', 'Open')], 'ValidationException');
    await refused([{ Key: 'Status', Operator: 'Equal', Values: [] } as OpsItemFilter], 'ValidationException');
    await expect(t.ssm.send(new DescribeOpsItemsCommand({ MaxResults: 51 }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(t.ssm.send(new DescribeOpsItemsCommand({ MaxResults: 0 }))).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
