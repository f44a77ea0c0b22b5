import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, type TestServer } from '../../testing/test-server.js';
import { awsCliFor, awsJson as awsJsonOf, type AwsCli } from '../../../../cli/src/testing/aws-cli.js';
import { TestClock, startClockedServer } from '../parameters/policy-test-support.js';
import { until } from '../commands/run-command-test-support.js';
import { HOUR } from './maintenance-window-test-support.js';

/**
 * The real AWS CLI (v1, botocore) through a maintenance window's life:
 * create, register a target and a RUN_COMMAND task, read them back, and
 * read the execution the server ran at the scheduled time. The CLI signs
 * at real time, so the server's clock is moved only while its timers run.
 */
describeEachDatabase('Maintenance windows through the aws CLI', (dialect) => {
  const clock = new TestClock();
  let t: TestServer;
  let cli: AwsCli;
  const aws = (...args: string[]) => cli.run(...args);
  const awsJson = (...args: string[]) => awsJsonOf(cli, ...args);

  beforeAll(async () => {
    t = await startClockedServer(dialect, clock);
    cli = awsCliFor(t);
  });
  afterAll(async () => {
    await t?.close();
    cli?.close();
  });

  it('creates a window with a target and a task, and shows the execution it ran', async () => {
    const { WindowId } = await awsJson(
      'create-maintenance-window',
      '--name', 'cli-window',
      '--schedule', 'rate(1 hour)',
      '--duration', '2',
      '--cutoff', '1',
      '--allow-unassociated-targets',
      '--tags', 'Key=Team,Value=ops',
    );
    expect(WindowId).toMatch(/^mw-[0-9a-f]{17}$/);
    const { WindowTargetId } = await awsJson(
      'register-target-with-maintenance-window',
      '--window-id', WindowId,
      '--resource-type', 'INSTANCE',
      '--targets', 'Key=InstanceIds,Values=mi-00000000000000000',
      '--owner-information', 'cli',
    );
    const { WindowTaskId } = await awsJson(
      'register-task-with-maintenance-window',
      '--window-id', WindowId,
      '--task-type', 'RUN_COMMAND',
      '--task-arn', 'AWS-RunShellScript',
      '--targets', `Key=WindowTargetIds,Values=${WindowTargetId}`,
      '--priority', '1',
      '--max-concurrency', '1',
      '--max-errors', '0',
      '--task-invocation-parameters', JSON.stringify({ RunCommand: { Parameters: { commands: ['uptime'] }, TimeoutSeconds: 600 } }),
    );
    const window = await awsJson('get-maintenance-window', '--window-id', WindowId);
    expect(window).toMatchObject({ WindowId, Name: 'cli-window', Schedule: 'rate(1 hour)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: true, Enabled: true });
    expect(window.NextExecutionTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?Z$/);
    const tasks = await awsJson('describe-maintenance-window-tasks', '--window-id', WindowId);
    expect(tasks.Tasks).toEqual([expect.objectContaining({ WindowTaskId, TaskArn: 'AWS-RunShellScript', Type: 'RUN_COMMAND', Priority: 1 })]);

    // The scheduled hour comes on the server; the execution is read back at real time.
    clock.advance(HOUR + 2_000);
    await until(async () => {
      await t.server.timers.runDue();
      const row = await t.server.services.db.selectFrom('maintenance_window_executions').select('status').where('window_id', '=', WindowId).executeTakeFirst();
      return row && row.status !== 'IN_PROGRESS';
    }, 20_000, 'the execution ended');
    clock.offsetMs = 0;

    const { WindowExecutions } = await awsJson('describe-maintenance-window-executions', '--window-id', WindowId);
    expect(WindowExecutions).toEqual([expect.objectContaining({ WindowId, Status: 'SUCCESS' })]);
    const executionId = WindowExecutions[0].WindowExecutionId;
    const execution = await awsJson('get-maintenance-window-execution', '--window-execution-id', executionId);
    expect(execution.TaskIds).toHaveLength(1);
    const task = await awsJson('get-maintenance-window-execution-task', '--window-execution-id', executionId, '--task-id', execution.TaskIds[0]);
    expect(task).toMatchObject({ TaskArn: 'AWS-RunShellScript', Type: 'RUN_COMMAND', Priority: 1, Status: 'SUCCESS', MaxConcurrency: '1', MaxErrors: '0' });
  });

  it('reports errors with their Systems Manager names', async () => {
    const missing = await aws('get-maintenance-window', '--window-id', 'mw-0123456789abcdef0');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('(DoesNotExistException)');
    expect(missing.stderr).toContain('Maintenance window mw-0123456789abcdef0 does not exist');
    const lambda = await aws(
      'register-task-with-maintenance-window',
      '--window-id', 'mw-0123456789abcdef0',
      '--task-type', 'LAMBDA',
      '--task-arn', 'arn:aws:lambda:us-east-1:123456789012:function:f',
    );
    expect(lambda.stderr).toContain('(ValidationException)');
    expect(lambda.stderr).toContain('Tend runs RUN_COMMAND tasks only');
  });
});
