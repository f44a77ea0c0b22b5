import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../server/src/testing/test-server.js';
import { agentArgs, e2eScope, ONLINE } from '../../../agent/src/testing/e2e.js';
import { readState } from '../../../agent/src/state.js';
import { jsonRunner, rootEnvFor, runTend } from '../testing/run-tend.js';

/** `at(…)` for `seconds` from now, in UTC, the format a one-time window takes. */
function atSecondsFromNow(seconds: number): string {
  return `at(${new Date(Date.now() + seconds * 1000).toISOString().slice(0, 19)})`;
}

/**
 * `tend windows …` as a user runs it: the real binary against a real server,
 * and a real `tend agent` that runs the window's task when the window opens.
 */
describe('tend windows', { timeout: 90_000 }, () => {
  const scope = e2eScope();
  let t: TestServer;
  let env: NodeJS.ProcessEnv;
  let node: string;
  const tend = (...args: string[]) => runTend(['windows', ...args], { env });
  const tendJson = jsonRunner(tend);

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    env = rootEnvFor(t);
    const created = await jsonRunner((...args) => runTend(args, { env }))('activations', 'create', '--limit', '1');
    const stateDir = path.join(scope.tempDir('tend-cli-windows-agent-'), 'state');
    const agent = scope.tend(agentArgs(t.url, { activationId: created.ActivationId, activationCode: created.ActivationCode }, stateDir, ['--name', 'db-1']));
    await agent.waitFor('stderr', ONLINE);
    node = (await readState(stateDir))!.instanceId!;
  });
  afterAll(async () => {
    await scope.cleanup();
    await t?.close();
  });

  it('creates a window with a target and a task, shows it, and the window runs the task on the node when it opens', async () => {
    // Far enough ahead for the set-up below, which starts the CLI three times.
    const { WindowId: windowId } = await tendJson('create', 'cli-window', '--schedule', atSecondsFromNow(15), '--duration', '1', '--cutoff', '0', '--description', 'from the CLI');
    expect(windowId).toMatch(/^mw-[0-9a-f]{17}$/);
    const { WindowTargetId: targetId } = await tendJson('add-target', windowId, '--targets', `InstanceIds=${node}`, '--name', 'databases', '--owner', 'team-db');
    // --json before the script's --, after which it would be part of the script.
    const added = await tend('add-task', windowId, '--json', '--name', 'say-hello', '--', 'echo "hello from $HOSTNAME-window"', 'echo done');
    expect(added.stderr).toBe('');
    const { WindowTaskId: taskId } = JSON.parse(added.stdout);
    expect(taskId).toMatch(/^[0-9a-f-]{36}$/);

    const show = await tend('show', windowId);
    expect(show.stderr).toBe('');
    expect(show.stdout).toMatch(/^Name:\s+cli-window$/m);
    expect(show.stdout).toMatch(/^Schedule:\s+at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\)$/m);
    expect(show.stdout).toMatch(/^Duration:\s+1 h, no new task in the last 0 h$/m);
    expect(show.stdout).toMatch(/^Next run:\s+\S+/m);
    expect(show.stdout).toMatch(new RegExp(`^${targetId}\\s+databases\\s+INSTANCE\\s+InstanceIds=${node}\\s+team-db$`, 'm'));
    expect(show.stdout).toMatch(new RegExp(`^\\s*1\\s+${taskId}\\s+say-hello\\s+RUN_COMMAND\\s+AWS-RunShellScript\\s+WindowTargetIds=${targetId}\\s`, 'm'));

    const ls = await tend('ls');
    expect(ls.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+ENABLED\s+SCHEDULE\s+DURATION\s+CUTOFF\s+NEXT RUN$/);
    expect(ls.stdout).toMatch(new RegExp(`^${windowId}\\s+cli-window\\s+yes\\s+at\\(`, 'm'));
    expect((await tend('executions', windowId)).stdout).toBe(`${windowId} has not run yet.\n`);

    // The window opens by itself on the server's timer: nothing here starts it.
    let execution: { WindowExecutionId: string; Status: string } | undefined;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 1000))) {
      execution = (await tendJson('executions', windowId)).WindowExecutions[0];
      if (execution && !['PENDING', 'IN_PROGRESS'].includes(execution.Status)) break;
    }
    expect(execution?.Status).toBe('SUCCESS');

    const shown = await tend('execution', execution!.WindowExecutionId);
    expect(shown.stderr).toBe('');
    expect(shown.stdout).toMatch(/^Status:\s+SUCCESS$/m);
    expect(shown.stdout).toMatch(/^Task \S+ \(AWS-RunShellScript, priority 1\): SUCCESS/m);
    const details = await tendJson('execution', execution!.WindowExecutionId);
    const invocation = details.Tasks[0].Invocations[0];
    expect(invocation).toMatchObject({ Status: 'SUCCESS', WindowTargetId: targetId, OwnerInformation: 'team-db' });
    // The task ran as a real command: its output is where every command's is.
    const output = await runTend(['commands', 'show', invocation.ExecutionId], { env });
    expect(output.stdout).toMatch(/hello from .*-window/);

    // A one-time window that has run has no next run.
    expect((await tendJson('show', windowId)).Window.NextExecutionTime).toBeUndefined();
  });

  it('answers errors in Systems Manager style and removes a window', async () => {
    const missing = await tend('show', 'mw-0123456789abcdef0');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/DoesNotExistException/);

    const badSchedule = await tend('create', 'bad-window', '--schedule', 'cron(0 2 * * * *)');
    expect(badSchedule.code).not.toBe(0);
    expect(badSchedule.stderr).toMatch(/ValidationException/);
    expect((await tendJson('ls', '--name', 'bad-window')).WindowIdentities).toEqual([]);

    const { WindowId: windowId } = await tendJson('create', 'short-lived', '--schedule', 'rate(1 day)', '--disabled');
    expect((await tendJson('ls', '--disabled')).WindowIdentities.map((w: { WindowId: string }) => w.WindowId)).toContain(windowId);
    const noTargets = await tend('add-task', windowId, '--', 'true');
    expect(noTargets.code).not.toBe(0);
    expect(noTargets.stderr).toMatch(/has no targets yet/);

    expect((await tend('rm', windowId)).stdout).toMatch(new RegExp(`^${windowId}$`, 'm'));
    expect((await tendJson('ls', '--name', 'short-lived')).WindowIdentities).toEqual([]);
  });
});
