import { expect, it } from 'vitest';
import {
  AddTagsToResourceCommand,
  CreateMaintenanceWindowCommand,
  DeleteMaintenanceWindowCommand,
  DescribeMaintenanceWindowsCommand,
  DescribeMaintenanceWindowExecutionsCommand,
  GetMaintenanceWindowExecutionCommand,
  GetMaintenanceWindowCommand,
  ListTagsForResourceCommand,
  UpdateMaintenanceWindowCommand,
} from '@aws-sdk/client-ssm';
import { describeEachDatabase } from '../../../testing/test-server.js';
import { useClockedServer } from '../../parameters/policy-test-support.js';
import { createWindow, windowTablesState, failure } from '../maintenance-window-test-support.js';

describeEachDatabase('Maintenance windows: Create, Get, Update, Delete, Describe', (dialect) => {
  const { clock, server } = useClockedServer(dialect);

  it('creates an enabled window with an mw- id, its dates, its next run and its tags', async () => {
    const { ssm } = server();
    const before = Date.now() + clock.offsetMs;
    const id = await createWindow(ssm, 'nightly-patching', {
      Description: 'Patch the web tier',
      Schedule: 'cron(30 3 ? * * *)',
      ScheduleTimezone: 'Europe/Paris',
      Duration: 3,
      Cutoff: 1,
      Tags: [{ Key: 'Team', Value: 'ops' }],
    });
    expect(id).toMatch(/^mw-[0-9a-f]{17}$/);
    const got = await ssm.send(new GetMaintenanceWindowCommand({ WindowId: id }));
    expect(got).toMatchObject({
      WindowId: id,
      Name: 'nightly-patching',
      Description: 'Patch the web tier',
      Schedule: 'cron(30 3 ? * * *)',
      ScheduleTimezone: 'Europe/Paris',
      Duration: 3,
      Cutoff: 1,
      AllowUnassociatedTargets: false,
      Enabled: true,
    });
    expect(got.CreatedDate).toBeInstanceOf(Date);
    expect(Math.abs(got.CreatedDate!.getTime() - before)).toBeLessThan(5_000);
    expect(got.ModifiedDate!.getTime()).toBe(got.CreatedDate!.getTime());
    // 03:30 in Paris is 01:30 or 02:30 UTC depending on the season, within the next day.
    expect(got.NextExecutionTime).toMatch(/^\d{4}-\d{2}-\d{2}T0[12]:30Z$/);
    const next = Date.parse(got.NextExecutionTime!);
    expect(next).toBeGreaterThan(before);
    expect(next - before).toBeLessThanOrEqual(24 * 3_600_000);
    const tags = await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'MaintenanceWindow', ResourceId: id }));
    expect(tags.TagList).toEqual([{ Key: 'Team', Value: 'ops' }]);
    await ssm.send(new AddTagsToResourceCommand({ ResourceType: 'MaintenanceWindow', ResourceId: id, Tags: [{ Key: 'Env', Value: 'prod' }] }));
    const more = await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'MaintenanceWindow', ResourceId: id }));
    expect(more.TagList).toEqual([
      { Key: 'Env', Value: 'prod' },
      { Key: 'Team', Value: 'ops' },
    ]);
  });

  it('answers the same window for a retried ClientToken, and IdempotentParameterMismatch for another request', async () => {
    const { ssm } = server();
    const first = await createWindow(ssm, 'idempotent', { ClientToken: 'token-1' });
    expect(await createWindow(ssm, 'idempotent', { ClientToken: 'token-1' })).toBe(first);
    expect(await failure(createWindow(ssm, 'idempotent-other', { ClientToken: 'token-1' }))).toMatchObject({ name: 'IdempotentParameterMismatch' });
  });

  it('refuses invalid windows with ValidationException and writes nothing', async () => {
    const t = server();
    const before = await windowTablesState(t);
    const cases: Array<[Partial<ConstructorParameters<typeof CreateMaintenanceWindowCommand>[0]>, RegExp]> = [
      [{ Name: 'ab' }, /name/i],
      [{ Name: 'has space' }, /pattern/],
      [{ Schedule: 'cron(0 2 * * *)' }, /schedule expression/i],
      [{ Schedule: 'every day' }, /schedule expression/i],
      [{ Duration: 0 }, /duration/i],
      [{ Duration: 25 }, /duration/i],
      [{ Duration: 2, Cutoff: 2 }, /Cutoff \(2 hours\) must be less than Duration \(2 hours\)/],
      [{ Cutoff: 24, Duration: 24 }, /cutoff/i],
      [{ ScheduleTimezone: 'Mars/Olympus' }, /ScheduleTimezone Mars\/Olympus/],
      [{ Schedule: 'rate(1 day)', ScheduleOffset: 2 }, /ScheduleOffset can be set only for a cron/],
      [{ ScheduleOffset: 7 }, /scheduleOffset/],
      [{ StartDate: 'next tuesday' }, /StartDate/],
      [{ StartDate: '2030-01-02T00:00:00Z', EndDate: '2030-01-01T00:00:00Z' }, /EndDate must be later than StartDate/],
    ];
    for (const [members, message] of cases) {
      const error = await failure(
        t.ssm.send(new CreateMaintenanceWindowCommand({ Name: 'valid-name', Schedule: 'cron(0 2 ? * * *)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: false, ...members })),
      );
      expect(error.name, JSON.stringify(members)).toBe('ValidationException');
      expect(error.message, JSON.stringify(members)).toMatch(message);
    }
    // AllowUnassociatedTargets is required.
    const missing = await failure(t.ssm.send(new CreateMaintenanceWindowCommand({ Name: 'no-flag', Schedule: 'rate(1 day)', Duration: 2, Cutoff: 1 } as never)));
    expect(missing).toMatchObject({ name: 'ValidationException', message: expect.stringContaining("'allowUnassociatedTargets' failed to satisfy constraint: Member must not be null") });
    expect(await windowTablesState(t)).toBe(before);
  });

  it('answers DoesNotExistException for an unknown window', async () => {
    const { ssm } = server();
    const missing = 'mw-0123456789abcdef0';
    // One call at a time: a rejection not awaited yet would be reported as unhandled.
    for (const call of [
      () => ssm.send(new GetMaintenanceWindowCommand({ WindowId: missing })),
      () => ssm.send(new UpdateMaintenanceWindowCommand({ WindowId: missing, Enabled: false })),
      () => ssm.send(new DeleteMaintenanceWindowCommand({ WindowId: missing })),
    ]) {
      expect(await failure(call())).toEqual({ name: 'DoesNotExistException', message: `Maintenance window ${missing} does not exist` });
    }
    const execution = '00000000-0000-4000-8000-000000000000';
    expect(await failure(ssm.send(new GetMaintenanceWindowExecutionCommand({ WindowExecutionId: execution })))).toEqual({
      name: 'DoesNotExistException',
      message: `Maintenance window execution ${execution} does not exist`,
    });
    expect(await failure(ssm.send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId: missing })))).toMatchObject({ name: 'DoesNotExistException' });
  });

  it('updates members one by one, clears the optional ones with Replace, and moves or removes the run timer', async () => {
    const t = server();
    const { ssm } = t;
    const id = await createWindow(ssm, 'updatable', { Description: 'first', ScheduleTimezone: 'UTC', StartDate: '2020-01-01T00:00:00Z' });
    const timer = async () =>
      (await t.server.services.db.selectFrom('durable_timers').select('due_at').where('timer_key', '=', `maintenance-window:${id}`).executeTakeFirst())?.due_at;
    expect(await timer()).toBeDefined();

    clock.advance(60_000);
    const updated = await ssm.send(new UpdateMaintenanceWindowCommand({ WindowId: id, Schedule: 'cron(0 5 ? * * *)', Duration: 4 }));
    expect(updated).toMatchObject({ WindowId: id, Name: 'updatable', Description: 'first', Schedule: 'cron(0 5 ? * * *)', Duration: 4, Cutoff: 1, Enabled: true });
    const got = await ssm.send(new GetMaintenanceWindowCommand({ WindowId: id }));
    expect(got.NextExecutionTime).toMatch(/T05:00Z$/);
    expect(Number(await timer())).toBe(Date.parse(got.NextExecutionTime!));
    expect(got.ModifiedDate!.getTime()).toBeGreaterThan(got.CreatedDate!.getTime());

    // A Cutoff that the stored Duration does not allow is refused, whatever was given.
    expect(await failure(ssm.send(new UpdateMaintenanceWindowCommand({ WindowId: id, Cutoff: 4 })))).toMatchObject({ name: 'ValidationException' });

    expect(await failure(ssm.send(new UpdateMaintenanceWindowCommand({ WindowId: id, Replace: true, Name: 'replaced' })))).toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('missing: Schedule, Duration, Cutoff, AllowUnassociatedTargets'),
    });
    const replaced = await ssm.send(
      new UpdateMaintenanceWindowCommand({ WindowId: id, Replace: true, Name: 'replaced', Schedule: 'rate(2 hours)', Duration: 1, Cutoff: 0, AllowUnassociatedTargets: true }),
    );
    expect(replaced).toMatchObject({ Name: 'replaced', Schedule: 'rate(2 hours)', AllowUnassociatedTargets: true, Enabled: true });
    expect(replaced.Description).toBeUndefined();
    expect(replaced.ScheduleTimezone).toBeUndefined();
    expect(replaced.StartDate).toBeUndefined();

    await ssm.send(new UpdateMaintenanceWindowCommand({ WindowId: id, Enabled: false }));
    expect(await timer()).toBeUndefined();
    const disabled = await ssm.send(new GetMaintenanceWindowCommand({ WindowId: id }));
    expect(disabled.Enabled).toBe(false);
    expect(disabled.NextExecutionTime).toBeUndefined();
    await ssm.send(new UpdateMaintenanceWindowCommand({ WindowId: id, Enabled: true }));
    expect(await timer()).toBeDefined();
  });

  it('deletes a window with its tags and timer', async () => {
    const t = server();
    const id = await createWindow(t.ssm, 'to-delete', { Tags: [{ Key: 'a', Value: 'b' }] });
    expect(await t.ssm.send(new DeleteMaintenanceWindowCommand({ WindowId: id }))).toMatchObject({ WindowId: id });
    expect(await failure(t.ssm.send(new GetMaintenanceWindowCommand({ WindowId: id })))).toMatchObject({ name: 'DoesNotExistException' });
    const rows = await t.server.services.db.selectFrom('durable_timers').select('timer_key').where('timer_key', '=', `maintenance-window:${id}`).execute();
    expect(rows).toEqual([]);
    const tags = await t.server.services.db.selectFrom('resource_tags').select('tag_key').where('resource_type', '=', 'MaintenanceWindow').where('resource_id', '=', id).execute();
    expect(tags).toEqual([]);
  });

  it('describes windows by Name and Enabled, in pages', async () => {
    const { ssm } = server();
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await createWindow(ssm, `paged-${i}`));
    await ssm.send(new UpdateMaintenanceWindowCommand({ WindowId: ids[3]!, Enabled: false }));

    const byName = await ssm.send(new DescribeMaintenanceWindowsCommand({ Filters: [{ Key: 'Name', Values: ['paged-3', 'paged-4'] }] }));
    expect(byName.WindowIdentities!.map((w) => w.Name).sort()).toEqual(['paged-3', 'paged-4']);
    const disabled = await ssm.send(new DescribeMaintenanceWindowsCommand({ Filters: [{ Key: 'Enabled', Values: ['false'] }] }));
    expect(disabled.WindowIdentities!.map((w) => w.WindowId)).toEqual([ids[3]]);
    expect(disabled.WindowIdentities![0]).toMatchObject({ Name: 'paged-3', Enabled: false, Duration: 2, Cutoff: 1, Schedule: 'cron(0 2 ? * * *)' });

    const seen: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const page = await ssm.send(new DescribeMaintenanceWindowsCommand({ Filters: [{ Key: 'Enabled', Values: ['true'] }], MaxResults: 10, NextToken }));
      seen.push(...page.WindowIdentities!.map((w) => w.WindowId!));
      NextToken = page.NextToken;
      pages++;
    } while (NextToken);
    expect(pages).toBeGreaterThan(1);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of ids) expect(seen.includes(id)).toBe(id !== ids[3]);

    expect(await failure(ssm.send(new DescribeMaintenanceWindowsCommand({ Filters: [{ Key: 'Owner', Values: ['me'] }] })))).toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('valid keys are: Name, Enabled'),
    });
    expect(await failure(ssm.send(new DescribeMaintenanceWindowsCommand({ MaxResults: 10, NextToken: 'bogus' })))).toMatchObject({ name: 'InvalidNextToken' });
  });
});
