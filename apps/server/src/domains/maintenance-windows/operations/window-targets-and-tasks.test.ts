import { expect, it } from 'vitest';
import {
  DeregisterTargetFromMaintenanceWindowCommand,
  DeregisterTaskFromMaintenanceWindowCommand,
  DescribeMaintenanceWindowTargetsCommand,
  DescribeMaintenanceWindowTasksCommand,
  GetMaintenanceWindowTaskCommand,
  RegisterTargetWithMaintenanceWindowCommand,
  RegisterTaskWithMaintenanceWindowCommand,
  UpdateMaintenanceWindowTargetCommand,
  UpdateMaintenanceWindowTaskCommand,
} from '@aws-sdk/client-ssm';
import { describeEachDatabase } from '../../../testing/test-server.js';
import { useTestServer } from '../../parameters/operations/test-support.js';
import { createWindow, registerNodes, registerShellTask, windowTablesState, failure } from '../maintenance-window-test-support.js';

const NODE_A = 'mi-0123456789abcdef0';
const NODE_B = 'mi-0123456789abcdef1';

describeEachDatabase('Maintenance window targets and tasks', (dialect) => {
  const server = useTestServer(dialect);

  it('registers, describes, updates and deregisters targets', async () => {
    const { ssm } = server();
    const windowId = await createWindow(ssm, 'targets-window');
    const byId = await registerNodes(ssm, windowId, [NODE_A], 'owner-a');
    expect(byId).toMatch(/^[0-9a-f-]{36}$/);
    const { WindowTargetId: byTag } = await ssm.send(
      new RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'tag:Role', Values: ['web'] }], Name: 'web-nodes' }),
    );
    const { WindowTargetId: byGroup } = await ssm.send(
      new RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowId, ResourceType: 'RESOURCE_GROUP', Targets: [{ Key: 'resource-groups:Name', Values: ['fleet'] }] }),
    );

    const all = await ssm.send(new DescribeMaintenanceWindowTargetsCommand({ WindowId: windowId }));
    expect(all.Targets).toHaveLength(3);
    expect(all.Targets!.find((t) => t.WindowTargetId === byTag)).toEqual({
      WindowId: windowId,
      WindowTargetId: byTag,
      ResourceType: 'INSTANCE',
      Targets: [{ Key: 'tag:Role', Values: ['web'] }],
      Name: 'web-nodes',
    });
    const groups = await ssm.send(new DescribeMaintenanceWindowTargetsCommand({ WindowId: windowId, Filters: [{ Key: 'Type', Values: ['RESOURCE_GROUP'] }] }));
    expect(groups.Targets!.map((t) => t.WindowTargetId)).toEqual([byGroup]);
    const owned = await ssm.send(new DescribeMaintenanceWindowTargetsCommand({ WindowId: windowId, Filters: [{ Key: 'OwnerInformation', Values: ['owner-a'] }] }));
    expect(owned.Targets!.map((t) => t.WindowTargetId)).toEqual([byId]);

    const updated = await ssm.send(new UpdateMaintenanceWindowTargetCommand({ WindowId: windowId, WindowTargetId: byTag, Description: 'the web tier' }));
    expect(updated).toMatchObject({ WindowId: windowId, WindowTargetId: byTag, Targets: [{ Key: 'tag:Role', Values: ['web'] }], Name: 'web-nodes', Description: 'the web tier' });
    const replaced = await ssm.send(
      new UpdateMaintenanceWindowTargetCommand({ WindowId: windowId, WindowTargetId: byTag, Replace: true, Targets: [{ Key: 'tag:Role', Values: ['db'] }] }),
    );
    expect(replaced.Name).toBeUndefined();
    expect(replaced.Description).toBeUndefined();
    expect(replaced.Targets).toEqual([{ Key: 'tag:Role', Values: ['db'] }]);

    await ssm.send(new DeregisterTargetFromMaintenanceWindowCommand({ WindowId: windowId, WindowTargetId: byGroup }));
    const left = await ssm.send(new DescribeMaintenanceWindowTargetsCommand({ WindowId: windowId }));
    expect(left.Targets!.map((t) => t.WindowTargetId).sort()).toEqual([byId, byTag].sort());
  });

  it('refuses bad targets with clear errors and writes nothing', async () => {
    const t = server();
    const windowId = await createWindow(t.ssm, 'bad-targets');
    const before = await windowTablesState(t);
    const register = (ResourceType: 'INSTANCE' | 'RESOURCE_GROUP', Targets: { Key: string; Values: string[] }[]) =>
      failure(t.ssm.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowId, ResourceType, Targets })));
    expect(await register('INSTANCE', [{ Key: 'InstanceIds', Values: ['not-a-node'] }])).toMatchObject({ name: 'ValidationException', message: expect.stringContaining('not a managed node id') });
    expect(await register('INSTANCE', [{ Key: 'resource-groups:Name', Values: ['fleet'] }])).toMatchObject({ name: 'ValidationException', message: expect.stringContaining('RESOURCE_GROUP') });
    expect(await register('RESOURCE_GROUP', [{ Key: 'tag:Role', Values: ['web'] }])).toMatchObject({ name: 'ValidationException', message: expect.stringContaining('resource-groups:Name') });
    expect(await register('INSTANCE', [{ Key: 'color', Values: ['blue'] }])).toMatchObject({ name: 'ValidationException', message: expect.stringContaining('Target key color is not supported') });
    expect(await failure(t.ssm.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: 'mw-0123456789abcdef0', ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: [NODE_A] }] })))).toEqual({
      name: 'DoesNotExistException',
      message: 'Maintenance window mw-0123456789abcdef0 does not exist',
    });
    expect(await windowTablesState(t)).toBe(before);
    const unknownTarget = '00000000-0000-4000-8000-000000000000';
    expect(await failure(t.ssm.send(new UpdateMaintenanceWindowTargetCommand({ WindowId: windowId, WindowTargetId: unknownTarget, Name: 'xyz' })))).toEqual({
      name: 'DoesNotExistException',
      message: `Maintenance window target ${unknownTarget} does not exist in maintenance window ${windowId}`,
    });
  });

  it('registers RUN_COMMAND tasks, gets, describes, updates and deregisters them', async () => {
    const { ssm } = server();
    const windowId = await createWindow(ssm, 'tasks-window');
    const targetId = await registerNodes(ssm, windowId, [NODE_A, NODE_B]);
    const taskId = await registerShellTask(ssm, windowId, [targetId], ['echo hello'], {
      Name: 'say-hello',
      Description: 'greets',
      Priority: 5,
      CutoffBehavior: 'CANCEL_TASK',
      ServiceRoleArn: 'arn:aws:iam::123456789012:role/mw',
      TaskInvocationParameters: {
        RunCommand: {
          Parameters: { commands: ['echo hello'] },
          Comment: 'from a window',
          TimeoutSeconds: 600,
          DocumentVersion: '$DEFAULT',
          NotificationConfig: { NotificationArn: 'arn:aws:sns:us-east-1:123456789012:mw-topic', NotificationEvents: ['All'], NotificationType: 'Command' },
        },
      },
    });
    const got = await ssm.send(new GetMaintenanceWindowTaskCommand({ WindowId: windowId, WindowTaskId: taskId }));
    expect(got).toMatchObject({
      WindowId: windowId,
      WindowTaskId: taskId,
      TaskArn: 'AWS-RunShellScript',
      TaskType: 'RUN_COMMAND',
      Targets: [{ Key: 'WindowTargetIds', Values: [targetId] }],
      Priority: 5,
      MaxConcurrency: '10',
      MaxErrors: '1',
      Name: 'say-hello',
      Description: 'greets',
      CutoffBehavior: 'CANCEL_TASK',
      ServiceRoleArn: 'arn:aws:iam::123456789012:role/mw',
      TaskInvocationParameters: { RunCommand: { Parameters: { commands: ['echo hello'] }, Comment: 'from a window', TimeoutSeconds: 600, DocumentVersion: '$DEFAULT' } },
    });

    const second = await registerShellTask(ssm, windowId, [targetId], ['echo second'], { Priority: 1 });
    const listed = await ssm.send(new DescribeMaintenanceWindowTasksCommand({ WindowId: windowId }));
    expect(listed.Tasks!.map((t) => [t.WindowTaskId, t.Priority, t.Type])).toEqual([
      [second, 1, 'RUN_COMMAND'],
      [taskId, 5, 'RUN_COMMAND'],
    ]);
    const filtered = await ssm.send(new DescribeMaintenanceWindowTasksCommand({ WindowId: windowId, Filters: [{ Key: 'Priority', Values: ['5'] }] }));
    expect(filtered.Tasks!.map((t) => t.WindowTaskId)).toEqual([taskId]);

    const updated = await ssm.send(new UpdateMaintenanceWindowTaskCommand({ WindowId: windowId, WindowTaskId: taskId, Priority: 0, MaxErrors: '50%' }));
    expect(updated).toMatchObject({ WindowTaskId: taskId, Priority: 0, MaxErrors: '50%', Name: 'say-hello', CutoffBehavior: 'CANCEL_TASK' });
    const replaced = await ssm.send(
      new UpdateMaintenanceWindowTaskCommand({ WindowId: windowId, WindowTaskId: taskId, Replace: true, TaskArn: 'AWS-RunShellScript', Targets: [{ Key: 'WindowTargetIds', Values: [targetId] }] }),
    );
    expect(replaced).toMatchObject({ Priority: 1, CutoffBehavior: 'CONTINUE_TASK' });
    expect(replaced.Name).toBeUndefined();
    expect(replaced.TaskInvocationParameters).toBeUndefined();

    await ssm.send(new DeregisterTaskFromMaintenanceWindowCommand({ WindowId: windowId, WindowTaskId: second }));
    const after = await ssm.send(new DescribeMaintenanceWindowTasksCommand({ WindowId: windowId }));
    expect(after.Tasks!.map((t) => t.WindowTaskId)).toEqual([taskId]);
    expect(await failure(ssm.send(new GetMaintenanceWindowTaskCommand({ WindowId: windowId, WindowTaskId: second })))).toEqual({
      name: 'DoesNotExistException',
      message: `Maintenance window task ${second} does not exist in maintenance window ${windowId}`,
    });
  });

  it('refuses other task types, unknown window targets and unassociated nodes, writing nothing', async () => {
    const t = server();
    const { ssm } = t;
    const windowId = await createWindow(ssm, 'strict-window');
    const targetId = await registerNodes(ssm, windowId, [NODE_A]);
    const before = await windowTablesState(t);
    const base = { WindowId: windowId, TaskArn: 'AWS-RunShellScript', Targets: [{ Key: 'WindowTargetIds', Values: [targetId] }] };
    for (const TaskType of ['AUTOMATION', 'LAMBDA', 'STEP_FUNCTIONS'] as const) {
      expect(await failure(ssm.send(new RegisterTaskWithMaintenanceWindowCommand({ ...base, TaskType })))).toEqual({
        name: 'ValidationException',
        message: `TaskType ${TaskType} is not supported: Tend runs RUN_COMMAND tasks only (a Command document run on the window's nodes)`,
      });
    }
    const unknownTarget = '00000000-0000-4000-8000-000000000000';
    expect(await failure(ssm.send(new RegisterTaskWithMaintenanceWindowCommand({ ...base, TaskType: 'RUN_COMMAND', Targets: [{ Key: 'WindowTargetIds', Values: [unknownTarget] }] })))).toMatchObject({
      name: 'DoesNotExistException',
      message: expect.stringContaining(unknownTarget),
    });
    expect(await failure(ssm.send(new RegisterTaskWithMaintenanceWindowCommand({ ...base, TaskType: 'RUN_COMMAND', Targets: [{ Key: 'InstanceIds', Values: [NODE_B] }] })))).toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('does not allow unassociated targets'),
    });
    expect(await failure(ssm.send(new RegisterTaskWithMaintenanceWindowCommand({ ...base, TaskType: 'RUN_COMMAND', MaxConcurrency: 'lots' })))).toMatchObject({ name: 'ValidationException' });
    expect(await failure(ssm.send(new RegisterTaskWithMaintenanceWindowCommand({ ...base, TaskType: 'RUN_COMMAND', Targets: [] })))).toMatchObject({ name: 'ValidationException' });
    expect(
      await failure(
        ssm.send(new RegisterTaskWithMaintenanceWindowCommand({ ...base, TaskType: 'RUN_COMMAND', TaskInvocationParameters: { RunCommand: { Parameters: { commands: ['echo {{RESOURCE_ID}}'] } } } })),
      ),
    ).toMatchObject({ name: 'ValidationException', message: expect.stringContaining('Pseudo parameter {{RESOURCE_ID}} is not supported') });
    expect(await windowTablesState(t)).toBe(before);

    // A window that allows unassociated targets takes node ids directly.
    const open = await createWindow(ssm, 'open-window', { AllowUnassociatedTargets: true });
    const { WindowTaskId } = await ssm.send(
      new RegisterTaskWithMaintenanceWindowCommand({ WindowId: open, TaskType: 'RUN_COMMAND', TaskArn: 'AWS-RunShellScript', Targets: [{ Key: 'InstanceIds', Values: [NODE_B] }] }),
    );
    expect(WindowTaskId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses to deregister a target a task names when Safe, and removes it from the tasks otherwise', async () => {
    const { ssm } = server();
    const windowId = await createWindow(ssm, 'safe-window');
    const used = await registerNodes(ssm, windowId, [NODE_A]);
    const other = await registerNodes(ssm, windowId, [NODE_B]);
    const taskId = await registerShellTask(ssm, windowId, [used, other], ['true']);
    expect(await failure(ssm.send(new DeregisterTargetFromMaintenanceWindowCommand({ WindowId: windowId, WindowTargetId: used, Safe: true })))).toMatchObject({
      name: 'TargetInUseException',
      message: expect.stringContaining(taskId),
    });
    await ssm.send(new DeregisterTargetFromMaintenanceWindowCommand({ WindowId: windowId, WindowTargetId: used }));
    const task = await ssm.send(new GetMaintenanceWindowTaskCommand({ WindowId: windowId, WindowTaskId: taskId }));
    expect(task.Targets).toEqual([{ Key: 'WindowTargetIds', Values: [other] }]);
  });
});
