import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SendCommandCommand } from '@aws-sdk/client-ssm';
import { startTestServer, type TestServer } from '../../../server/src/testing/test-server.js';
import { agentArgs, e2eScope, exitCode, ONLINE } from '../../../agent/src/testing/e2e.js';
import { eventually } from '../../../agent/src/testing/eventually.js';
import { readState } from '../../../agent/src/state.js';
import { jsonRunner, rootEnvFor, runTend, startTend, type LiveTend } from '../testing/run-tend.js';

const UNKNOWN_COMMAND = '00000000-0000-4000-8000-000000000000';

/**
 * `tend run` and `tend commands …` as a user runs them: the real binary
 * against a real server, and two real `tend agent` processes running the
 * scripts in real shells.
 */
// Each step starts the CLI as a process, which takes a second or more on a busy machine.
describe('tend run and tend commands', { timeout: 60_000 }, () => {
  const scope = e2eScope();
  let t: TestServer;
  let env: NodeJS.ProcessEnv;
  let web1: string;
  let web2: string;
  let scratch: string;
  const tend = (...args: string[]) => runTend(args, { env });
  const tendJson = jsonRunner(tend);
  const startRun = (...args: string[]): LiveTend => startTend(['run', ...args], { env });
  /** `tend run --json …`: jsonRunner would put --json after the script's --, where it is part of the script. */
  const runJson = async (...args: string[]) => {
    const run = await tend('run', '--json', ...args);
    expect(run.stderr).toBe('');
    return { code: run.code, json: JSON.parse(run.stdout) };
  };
  /** A file the scripts wait for, so a test decides when they go on. */
  const gate = (name: string) => path.join(scratch, name);
  const waitForGate = (name: string) => `while [ ! -e ${gate(name)} ]; do sleep 0.05; done`;
  const open = (name: string) => fs.writeFileSync(gate(name), '');

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    env = rootEnvFor(t);
    scratch = scope.tempDir('tend-cli-run-');
    const created = await tendJson('activations', 'create', '--limit', '2', '--tag', 'Env=prod');
    const activation = { activationId: created.ActivationId, activationCode: created.ActivationCode };
    const ids: string[] = [];
    for (const name of ['web-1', 'web-2']) {
      const stateDir = path.join(scope.tempDir('tend-cli-agent-'), 'state');
      const agent = scope.tend(agentArgs(t.url, activation, stateDir, ['--name', name]));
      await agent.waitFor('stderr', ONLINE);
      ids.push((await readState(stateDir))!.instanceId!);
    }
    [web1, web2] = ids as [string, string];
  });
  afterAll(async () => {
    await scope.cleanup();
    await t?.close();
  });

  it('streams each node\'s output live, line by line, then a summary, and exits 0', async () => {
    const run = startRun(
      '--targets', 'tag:Env=prod', '--comment', 'live',
      '--',
      'echo "started in $(pwd)"',
      "printf 'half-'",
      waitForGate('live'),
      "printf 'line\\n'",
      'echo warning >&2',
      "printf 'no newline at the end'",
    );
    // Rate control starts one node, and the next once it has finished (the ramp): so one is running here.
    const started = await run.waitFor('stdout', /^mi-\w+ \| started/m);
    expect(started).toMatch(/^Command [0-9a-f-]{36} \(AWS-RunShellScript\) sent to 2 nodes$/m);
    // The first line is out while the script still waits: that is live output, not a report at the end.
    expect(run.stdout).not.toContain('half-');
    expect(run.stdout).not.toContain('NODE');
    // Polls see 'half-' before the rest of its line exists; the line must still come out whole.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    open('live');
    expect(await exitCode(run)).toBe(0);

    for (const id of [web1, web2]) {
      expect(run.stdout).toMatch(new RegExp(`^${id} \\| started in /`, 'm'));
      expect(run.stdout).toMatch(new RegExp(`^${id} \\| half-line$`, 'm'));
      expect(run.stdout).toMatch(new RegExp(`^${id} ! warning$`, 'm'));
      expect(run.stdout).toMatch(new RegExp(`^${id} \\| no newline at the end$`, 'm'));
      expect(run.stdout).toMatch(new RegExp(`^${id}\\s+\\S+\\s+Success\\s+Success\\s+0$`, 'm'));
    }
    expect(run.stdout.match(/half-line/g)).toHaveLength(2);
    expect(run.stdout).toMatch(/^NODE\s+NAME\s+STATUS\s+STATUS DETAILS\s+RESPONSE CODE$/m);
    expect(run.stdout).toMatch(/\nCommand [0-9a-f-]{36}: Success\n$/);
    // Not a terminal: plain progress lines, the last one final.
    expect(run.stderr).toMatch(/2 done · 0 failed · 0 pending of 2\n$/);
    expect(run.stderr).not.toContain('\x1b');
  });

  it('exits 2 with the failure in the summary when the script fails on a node', async () => {
    const run = await tend('run', '--instance-ids', web1, '--', 'echo about to fail', 'echo "no such thing" >&2', 'exit 3');
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`${web1} | about to fail\n`);
    expect(run.stdout).toContain(`${web1} ! no such thing\n`);
    expect(run.stdout).toMatch(new RegExp(`^${web1}\\s+\\S+\\s+Failed\\s+Failed\\s+3$`, 'm'));
    expect(run.stdout).toMatch(/\nCommand [0-9a-f-]{36}: Failed\n$/);
    expect(run.stderr).toMatch(/0 done · 1 failed · 0 pending of 1\n$/);
  });

  it('--json prints only the finished command and its invocations; --no-stream only progress and summary', async () => {
    const { code, json } = await runJson('--targets', 'Key=tag:Env,Values=prod', '--max-concurrency', '50%', '--', 'echo json output');
    expect(code).toBe(0);
    expect(json.Command).toMatchObject({ Status: 'Success', TargetCount: 2, CompletedCount: 2, MaxConcurrency: '50%', Parameters: { commands: ['echo json output'] } });
    expect(json.CommandInvocations.map((i: { InstanceId: string }) => i.InstanceId).sort()).toEqual([web1, web2].sort());
    for (const invocation of json.CommandInvocations) {
      expect(invocation).toMatchObject({ Status: 'Success', CommandPlugins: [{ Name: 'runShellScript', ResponseCode: 0, Output: 'json output\n' }] });
    }

    const failing = await runJson('--instance-ids', web2, '--', 'exit 1');
    expect(failing.code).toBe(2);
    expect(failing.json.Command.Status).toBe('Failed');

    const quiet = await tend('run', '--targets', 'tag:Env=prod', '--no-stream', '--', 'echo not shown');
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).not.toContain('not shown');
    expect(quiet.stdout).toMatch(new RegExp(`^${web1}\\s+\\S+\\s+Success\\s+Success\\s+0$`, 'm'));
    expect(quiet.stderr).toMatch(/2 done · 0 failed · 0 pending of 2\n$/);
  });

  it('cancels on the first Ctrl-C and follows until the command has ended; the second exits at once', async () => {
    // One node runs (the ramp), the other waits its turn: the cancel ends both.
    const run = startRun('--targets', 'tag:Env=prod', '--', 'echo waiting', 'sleep 60');
    await run.waitFor('stdout', /^mi-\w+ \| waiting$/m);
    run.child.kill('SIGINT');
    expect(await exitCode(run, 15_000)).toBe(2);
    expect(run.stderr).toMatch(/Cancelling command [0-9a-f-]{36}… \(Ctrl-C again to stop following\)/);
    for (const id of [web1, web2]) expect(run.stdout).toMatch(new RegExp(`^${id}\\s+\\S+\\s+Cancelled\\s+Cancelled`, 'm'));
    expect(run.stdout).toMatch(/\nCommand [0-9a-f-]{36}: Cancelled\n$/);

    const twice = startRun('--instance-ids', web1, '--', 'echo waiting', 'sleep 60');
    await twice.waitFor('stdout', /\| waiting$/m);
    twice.child.kill('SIGINT');
    await twice.waitFor('stderr', /Cancelling command/);
    twice.child.kill('SIGINT');
    expect(await exitCode(twice, 5_000)).toBe(130);
    expect(twice.stderr).toContain('stopped following');
  });

  it('lists commands, shows one with its nodes, and one node with its whole output', async () => {
    // 48,894 bytes of stdout: more than GetCommandInvocation (24,000) or the listing (2,500) holds.
    const big = await runJson('--instance-ids', web2, '--comment', 'big output', '--', 'seq 1 10000');
    const id = big.json.Command.CommandId;

    const ls = await tend('commands', 'ls');
    expect(ls.stderr).toBe('');
    const lines = ls.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^COMMAND ID\s+DOCUMENT\s+STATUS\s+COMPLETED\s+ERRORS\s+REQUESTED\s+COMMENT$/);
    expect(lines[1]).toMatch(new RegExp(`^${id}\\s+AWS-RunShellScript\\s+Success\\s+1/1\\s+0\\s+\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\s+big output$`));
    expect(ls.stdout).toMatch(/^\S+\s+AWS-RunShellScript\s+Failed\s+1\/1\s+1\s+\S+$/m);
    const failed = (await tendJson('commands', 'ls', '--status', 'Failed')).Commands;
    expect(failed.length).toBeGreaterThanOrEqual(2);
    expect(failed.every((c: { Status: string }) => c.Status === 'Failed')).toBe(true);
    expect((await tendJson('commands', 'ls', '--instance', web2, '--max', '1')).Commands.map((c: { CommandId: string }) => c.CommandId)).toEqual([id]);

    const show = await tend('commands', 'show', id);
    expect(show.stderr).toBe('');
    expect(show.stdout).toMatch(new RegExp(`^CommandId:\\s+${id}$`, 'm'));
    expect(show.stdout).toMatch(/^Document:\s+AWS-RunShellScript \(version 1\)$/m);
    expect(show.stdout).toMatch(/^Status:\s+Success$/m);
    expect(show.stdout).toMatch(/^Comment:\s+big output$/m);
    expect(show.stdout).toMatch(new RegExp(`^InstanceIds:\\s+${web2}$`, 'm'));
    expect(show.stdout).toMatch(/^Parameters:\s+\{"commands":\["seq 1 10000"\]\}$/m);
    expect(show.stdout).toMatch(new RegExp(`^${web2}\\s+\\S+\\s+Success\\s+Success\\s+0$`, 'm'));

    const full = await tend('commands', 'show', id, '--instance', web2);
    expect(full.stderr).toBe('');
    expect(full.stdout).toMatch(/^Step runShellScript: Success, response code 0, \S+Z to \S+Z\n--- stdout ---\n1\n2\n3\n/m);
    expect(full.stdout.endsWith('\n9999\n10000\n')).toBe(true);
    const fullJson = await tendJson('commands', 'show', id, '--instance', web2);
    expect(fullJson.Output).toEqual([{ PluginName: 'runShellScript', Stdout: Array.from({ length: 10000 }, (_, i) => `${i + 1}\n`).join(''), Stderr: '' }]);
    expect(fullJson.CommandInvocation).toMatchObject({ InstanceId: web2, Status: 'Success' });

    expect(await tend('commands', 'show', UNKNOWN_COMMAND)).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/^tend: InvalidCommandId: /) });
    expect(await tend('commands', 'show', id, '--instance', web1)).toMatchObject({
      code: 1,
      stderr: `tend: InvocationDoesNotExist: command ${id} has no invocation on ${web1}\n`,
    });
  });

  it('cancels a command on one node, then everywhere', async () => {
    const sent = await t.ssm.send(
      new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', Targets: [{ Key: 'tag:Env', Values: ['prod'] }], Parameters: { commands: ['sleep 60'] } }),
    );
    const id = sent.Command!.CommandId!;
    const statuses = async () => {
      const shown = await tendJson('commands', 'show', id);
      return new Map<string, string>(shown.CommandInvocations.map((i: { InstanceId: string; Status: string }) => [i.InstanceId, i.Status]));
    };
    // The ramp starts one node; the other waits its turn.
    let running = '';
    await eventually('one node running', async () => {
      running = [...(await statuses())].find(([, status]) => status === 'InProgress')?.[0] ?? '';
      return running !== '';
    });
    const waiting = running === web1 ? web2 : web1;

    const one = await tend('commands', 'cancel', id, '--instance', waiting);
    expect(one.stderr).toBe('');
    expect(one.stdout).toBe(`CANCEL REQUESTED                      NODES\n${id}  ${waiting}\n`);
    await eventually('the waiting node cancelled', async () => (await statuses()).get(waiting) === 'Cancelled');
    expect((await statuses()).get(running)).toBe('InProgress');

    expect(await tendJson('commands', 'cancel', id)).toEqual({ CancelRequested: { CommandId: id } });
    await eventually('the command cancelled', async () => (await tendJson('commands', 'show', id)).Command.Status === 'Cancelled');

    expect(await tend('commands', 'cancel', UNKNOWN_COMMAND)).toMatchObject({ code: 1, stderr: expect.stringMatching(/^tend: InvalidCommandId: /) });
  });

  it('reports usage and API errors as tend: Name: message with exit code 1', async () => {
    expect(await tend('run', '--', 'uptime')).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/^tend: ValidationException: say where to run: --targets/) });
    expect(await tend('run', '--targets', 'tag:Env=prod')).toMatchObject({ code: 1, stderr: expect.stringMatching(/^tend: ValidationException: nothing to run/) });
    const badRate = await tend('run', '--targets', 'tag:Env=prod', '--max-errors', 'lots', '--', 'uptime');
    expect(badRate).toMatchObject({ code: 1, stdout: '' });
    expect(badRate.stderr).toMatch(/^tend: ValidationException: .*maxErrors/);
    const unknownNode = await tend('run', '--instance-ids', 'mi-0000000000000000f', '--', 'uptime');
    expect(unknownNode).toMatchObject({ code: 1, stderr: expect.stringMatching(/^tend: InvalidInstanceId: /) });

    const nobody = await tend('run', '--targets', 'tag:Env=nowhere', '--', 'uptime');
    expect(nobody.code).toBe(2);
    expect(nobody.stdout).toMatch(/sent to 0 nodes\n/);
    expect(nobody.stdout).toMatch(/No invocations: the command targeted no node\.\nCommand [0-9a-f-]{36}: Success \(No Instances In Tag\)\n$/);

    const help = await tend('run', '--help');
    expect(help.stdout).toMatch(/Exit status:\n\s+0\s+the command ran with Success on every targeted node\n\s+1\s+.*\n\s+2\s+it ended otherwise/);
  });
});
