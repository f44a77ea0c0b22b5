import { afterAll, beforeAll, expect, it } from 'vitest';
import { UpdateOpsItemCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase, startTestServer, type TestServer } from '../../testing/test-server.js';
import { createTopic } from '../notifications/notification-test-support.js';
import { changesOf, createOpsItem, dedup, opsItemState, publishedAbout } from './ops-item-test-support.js';

describeEachDatabase('OpsItems: deduplication and notifications', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  const update = (input: Omit<ConstructorParameters<typeof UpdateOpsItemCommand>[0], 'OpsItemId'> & { OpsItemId: string }) => t.ssm.send(new UpdateOpsItemCommand(input));

  it('answers OpsItemAlreadyExistsException naming the open item with the same dedup string, and writes nothing', async () => {
    const first = await createOpsItem(t.ssm, { OperationalData: dedup('web-1/patch-noncompliant') });
    const before = await opsItemState(t);
    await expect(createOpsItem(t.ssm, { Title: 'Again', OperationalData: dedup('web-1/patch-noncompliant') })).rejects.toMatchObject({
      name: 'OpsItemAlreadyExistsException',
      OpsItemId: first,
      message: expect.stringContaining(first),
    });
    expect(await opsItemState(t)).toEqual(before);
    // Another string is another ticket; so is an item without one.
    await createOpsItem(t.ssm, { OperationalData: dedup('web-2/patch-noncompliant') });
    await createOpsItem(t.ssm);
    // An item in progress still holds its string.
    await update({ OpsItemId: first, Status: 'InProgress' });
    await expect(createOpsItem(t.ssm, { OperationalData: dedup('web-1/patch-noncompliant') })).rejects.toMatchObject({ name: 'OpsItemAlreadyExistsException', OpsItemId: first });
  });

  it('lets a resolved item go: the same problem seen again opens a new item, and the old one cannot be reopened beside it', async () => {
    const first = await createOpsItem(t.ssm, { OperationalData: dedup('db-1/disk') });
    await update({ OpsItemId: first, Status: 'Resolved' });
    const second = await createOpsItem(t.ssm, { OperationalData: dedup('db-1/disk') });
    expect(second).not.toBe(first);
    await expect(update({ OpsItemId: first, Status: 'Open' })).rejects.toMatchObject({ name: 'OpsItemAlreadyExistsException', OpsItemId: second });
    // Giving an open item a string another open item holds is refused too.
    const other = await createOpsItem(t.ssm);
    await expect(update({ OpsItemId: other, OperationalData: dedup('db-1/disk') })).rejects.toMatchObject({ name: 'OpsItemAlreadyExistsException', OpsItemId: second });
  });

  it('opens exactly one item when the same dedup string is created many times at once', async () => {
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, (_, n) => createOpsItem(t.ssm, { Title: `Race ${n}`, OperationalData: dedup('race') })));
    const created = outcomes.filter((o) => o.status === 'fulfilled').map((o) => (o as PromiseFulfilledResult<string>).value);
    expect(created).toHaveLength(1);
    for (const o of outcomes.filter((o) => o.status === 'rejected')) {
      expect((o as PromiseRejectedResult).reason).toMatchObject({ name: 'OpsItemAlreadyExistsException', OpsItemId: created[0] });
    }
  });

  it('publishes to its topics on creation and on each status change, not on other edits, with opsitem.changed events', async () => {
    const team = await createTopic(t, 'ops-team');
    const pager = await createTopic(t, 'ops-pager');
    const id = await createOpsItem(t.ssm, { Title: 'Disk full', Priority: 1, Notifications: [{ Arn: team }, { Arn: pager }] });
    let messages = await publishedAbout(t, id);
    expect(messages.map((m) => [m.topicArn, m.subject])).toEqual([
      [team, `Tend OpsItem ${id} opened`],
      [pager, `Tend OpsItem ${id} opened`],
    ]);
    expect(messages[0]!.body).toMatchObject({
      eventType: 'opsitem.changed',
      event: { opsItemId: id, change: 'created', status: 'Open', version: 1 },
      opsItem: { opsItemId: id, title: 'Disk full', source: 'monitoring', status: 'Open', priority: 1 },
    });

    await update({ OpsItemId: id, Title: 'Disk really full' });
    expect(await publishedAbout(t, id)).toHaveLength(2);

    // The list as the update leaves it is told: the pager no longer hears of it.
    await update({ OpsItemId: id, Status: 'Resolved', Notifications: [{ Arn: team }] });
    messages = await publishedAbout(t, id);
    expect(messages.slice(2).map((m) => [m.topicArn, m.subject])).toEqual([[team, `Tend OpsItem ${id} is Resolved`]]);
    expect(messages[2]!.body).toMatchObject({ event: { change: 'updated', previousStatus: 'Open', status: 'Resolved', version: 3 } });

    expect((await changesOf(t, id)).map((e) => [e.change, e.previousStatus, e.status, e.version])).toEqual([
      ['created', undefined, 'Open', 1],
      ['updated', 'Open', 'Open', 2],
      ['updated', 'Open', 'Resolved', 3],
    ]);
  });

  it('skips a topic deleted since the item named it, and still changes the item', async () => {
    const gone = await createTopic(t, 'soon-gone');
    const id = await createOpsItem(t.ssm, { Notifications: [{ Arn: gone }] });
    await t.api.tend('DeleteTopic', { TopicArn: gone });
    await update({ OpsItemId: id, Status: 'InProgress' });
    expect((await publishedAbout(t, id)).map((m) => m.subject)).toEqual([`Tend OpsItem ${id} opened`]);
    expect((await changesOf(t, id)).at(-1)).toMatchObject({ status: 'InProgress' });
  });
});
