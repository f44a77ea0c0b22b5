import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../server/src/testing/test-server.js';
import { createTopic } from '../../../server/src/domains/notifications/notification-test-support.js';
import { jsonRunner, rootEnvFor, runTend } from '../testing/run-tend.js';

// `tend ops …` as a user runs it: the real binary against a real server.
describe('tend ops', () => {
  let t: TestServer;
  let env: NodeJS.ProcessEnv;
  const tend = (...args: string[]) => runTend(['ops', ...args], { env });
  const tendJson = jsonRunner(tend);

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    env = rootEnvFor(t);
  });
  afterAll(async () => t?.close());

  it('creates, lists, shows and resolves an OpsItem, telling its topic', async () => {
    expect(await tend('ls')).toMatchObject({ code: 0, stdout: 'No OpsItems.\n' });
    const topic = await createTopic(t, 'cli-ops');
    const { OpsItemId: id } = await tendJson('create', '--title', 'Disk almost full on web-1', '--description', 'Root volume at 95%.', '--source', 'monitoring', '--priority', '2', '--severity', '1', '--notify', topic);
    expect(id).toMatch(/^oi-[0-9a-f]{12}$/);
    const created = await tend('create', '--title', 'Rotate certificates', '--description', 'They expire next month.', '--source', 'people');
    expect(created.stderr).toBe('');
    const other = created.stdout.split('\n')[1];
    expect(other).toMatch(/^oi-[0-9a-f]{12}$/);

    const ls = await tend('ls');
    expect(ls.stdout.split('\n')[0]).toMatch(/^ID\s+STATUS\s+PRIORITY\s+SEVERITY\s+SOURCE\s+TITLE\s+CREATED$/);
    expect(ls.stdout).toMatch(new RegExp(`^${id}\\s+Open\\s+2\\s+1\\s+monitoring\\s+Disk almost full on web-1\\s+\\d{4}-`, 'm'));
    expect((await tendJson('ls')).OpsItemSummaries.map((s: { OpsItemId: string }) => s.OpsItemId)).toEqual([other, id]);

    const show = await tend('show', id);
    expect(show.stderr).toBe('');
    expect(show.stdout).toMatch(/^Title:\s+Disk almost full on web-1$/m);
    expect(show.stdout).toMatch(/^Status:\s+Open$/m);
    expect(show.stdout).toMatch(new RegExp(`^Notify:\\s+${topic}$`, 'm'));
    expect(show.stdout).toContain('Root volume at 95%.');

    expect(await tend('resolve', id)).toMatchObject({ code: 0, stdout: `RESOLVED\n${id}\n` });
    expect((await tendJson('show', id)).OpsItem).toMatchObject({ Status: 'Resolved', Version: '2' });
    expect((await tendJson('ls', '--status', 'Open')).OpsItemSummaries.map((s: { OpsItemId: string }) => s.OpsItemId)).toEqual([other]);
    expect((await tend('ls', '--status', 'Closed')).stdout).toBe('No Closed OpsItems.\n');

    const subjects = (await t.server.services.db.selectFrom('outbox_events').select('payload').where('event_type', '=', 'notification.publish').orderBy('id').execute()).map(
      (r) => JSON.parse(r.payload).subject,
    );
    expect(subjects).toEqual([`Tend OpsItem ${id} opened`, `Tend OpsItem ${id} is Resolved`]);
  });

  it('reports errors as tend: <ErrorName>: <message>', async () => {
    const missing = await tend('show', 'oi-000000000000');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^tend: OpsItemNotFoundException: /);
    const bad = await tend('create', '--title', 'T', '--description', 'D', '--source', 'aws-thing');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^tend: OpsItemInvalidParameterException: Source/);
  });
});
