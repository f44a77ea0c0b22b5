import { expect, it } from 'vitest';
import {
  AddTagsToResourceCommand,
  DescribeMaintenanceWindowScheduleCommand,
  DescribeMaintenanceWindowsForTargetCommand,
  RegisterTargetWithMaintenanceWindowCommand,
  RegisterTaskWithMaintenanceWindowCommand,
  UpdateMaintenanceWindowCommand,
} from '@aws-sdk/client-ssm';
import { describeEachDatabase } from '../../../testing/test-server.js';
import { useTestServer } from '../../parameters/operations/test-support.js';
import { createWindow, registerNodes, failure } from '../maintenance-window-test-support.js';
import { createTestActivation, registerTestNode } from '../../nodes/node-test-support.js';

const NODE_A = 'mi-0123456789abcdef0';
const NODE_B = 'mi-0123456789abcdef1';

describeEachDatabase('DescribeMaintenanceWindowSchedule and DescribeMaintenanceWindowsForTarget', (dialect) => {
  const server = useTestServer(dialect);

  it('lists the coming runs of a window, soonest first, in pages', async () => {
    const { ssm } = server();
    const windowId = await createWindow(ssm, 'scheduled', { Schedule: 'cron(0 4 ? * MON,THU *)', ScheduleTimezone: 'UTC' });
    const first = await ssm.send(new DescribeMaintenanceWindowScheduleCommand({ WindowId: windowId, MaxResults: 3 }));
    expect(first.ScheduledWindowExecutions).toHaveLength(3);
    for (const run of first.ScheduledWindowExecutions!) {
      expect(run).toMatchObject({ WindowId: windowId, Name: 'scheduled', ExecutionTime: expect.stringMatching(/T04:00Z$/) });
      expect([1, 4]).toContain(new Date(run.ExecutionTime!).getUTCDay());
    }
    const second = await ssm.send(new DescribeMaintenanceWindowScheduleCommand({ WindowId: windowId, MaxResults: 3, NextToken: first.NextToken }));
    const times = [...first.ScheduledWindowExecutions!, ...second.ScheduledWindowExecutions!].map((r) => Date.parse(r.ExecutionTime!));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(times).size).toBe(6);

    // A disabled window has no coming runs.
    await ssm.send(new UpdateMaintenanceWindowCommand({ WindowId: windowId, Enabled: false }));
    expect((await ssm.send(new DescribeMaintenanceWindowScheduleCommand({ WindowId: windowId }))).ScheduledWindowExecutions).toEqual([]);
    expect(await failure(ssm.send(new DescribeMaintenanceWindowScheduleCommand({})))).toMatchObject({ name: 'ValidationException', message: expect.stringContaining('WindowId or Targets') });
    expect(await failure(ssm.send(new DescribeMaintenanceWindowScheduleCommand({ WindowId: 'mw-0123456789abcdef0' })))).toMatchObject({ name: 'DoesNotExistException' });
  });

  it('finds the windows a node, a tag or a resource group is a target of, and their schedule', async () => {
    const { ssm } = server();
    const byNode = await createWindow(ssm, 'for-node', { Schedule: 'cron(0 1 ? * * *)' });
    await registerNodes(ssm, byNode, [NODE_A]);
    const byTag = await createWindow(ssm, 'for-tag', { Schedule: 'cron(0 2 ? * * *)' });
    await ssm.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: byTag, ResourceType: 'INSTANCE', Targets: [{ Key: 'tag:Role', Values: ['web', 'db'] }] }));
    const byGroup = await createWindow(ssm, 'for-group', { Schedule: 'cron(0 3 ? * * *)' });
    await ssm.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: byGroup, ResourceType: 'RESOURCE_GROUP', Targets: [{ Key: 'resource-groups:Name', Values: ['fleet'] }] }));
    const direct = await createWindow(ssm, 'for-direct', { Schedule: 'cron(0 5 ? * * *)', AllowUnassociatedTargets: true });
    await ssm.send(
      new RegisterTaskWithMaintenanceWindowCommand({ WindowId: direct, TaskType: 'RUN_COMMAND', TaskArn: 'AWS-RunShellScript', Targets: [{ Key: 'InstanceIds', Values: [NODE_B] }] }),
    );

    const names = async (Targets: { Key: string; Values: string[] }[], ResourceType: 'INSTANCE' | 'RESOURCE_GROUP') =>
      ((await ssm.send(new DescribeMaintenanceWindowsForTargetCommand({ Targets, ResourceType }))).WindowIdentities ?? []).map((w) => w.Name).sort();
    expect(await names([{ Key: 'InstanceIds', Values: [NODE_A] }], 'INSTANCE')).toEqual(['for-node']);
    expect(await names([{ Key: 'InstanceIds', Values: [NODE_B] }], 'INSTANCE')).toEqual(['for-direct']);
    expect(await names([{ Key: 'tag:Role', Values: ['db'] }], 'INSTANCE')).toEqual(['for-tag']);
    expect(await names([{ Key: 'resource-groups:Name', Values: ['fleet'] }], 'RESOURCE_GROUP')).toEqual(['for-group']);
    expect(await names([{ Key: 'tag:Role', Values: ['cache'] }], 'INSTANCE')).toEqual([]);

    // A registered node tagged Role=web is a target of the tag's window.
    const { instanceId } = await registerTestNode(server(), await createTestActivation(server()));
    await ssm.send(new AddTagsToResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: instanceId, Tags: [{ Key: 'Role', Value: 'web' }] }));
    expect(await names([{ Key: 'InstanceIds', Values: [instanceId] }], 'INSTANCE')).toEqual(['for-tag']);

    const schedule = await ssm.send(new DescribeMaintenanceWindowScheduleCommand({ Targets: [{ Key: 'tag:Role', Values: ['web'] }], ResourceType: 'INSTANCE', MaxResults: 2 }));
    expect(schedule.ScheduledWindowExecutions!.map((r) => [r.WindowId, r.ExecutionTime!.slice(10)])).toEqual([
      [byTag, 'T02:00Z'],
      [byTag, 'T02:00Z'],
    ]);
  });
});
