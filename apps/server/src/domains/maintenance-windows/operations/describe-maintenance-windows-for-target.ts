import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { nextTokenSchema, windowArn } from '../maintenance-window-rules.js';
import { checkWindowTargets } from '../window-targets.js';
import { windowsForTarget } from '../windows-for-target.js';
import { pageOf, scopeOf, targetsSchema, windowsStore } from './common.js';

const input = z.object({
  Targets: targetsSchema,
  ResourceType: z.enum(['INSTANCE', 'RESOURCE_GROUP']),
  MaxResults: z.number().int().min(1).max(100).optional(),
  NextToken: nextTokenSchema,
});

/** DescribeMaintenanceWindowsForTarget: the windows a node (or tag, or resource group) is a target of. */
export const describeMaintenanceWindowsForTarget = defineOperation({
  service: 'AmazonSSM',
  name: 'DescribeMaintenanceWindowsForTarget',
  action: 'ssm:DescribeMaintenanceWindowsForTarget',
  input,
  mutating: false,
  resources: (_i, ctx) => [windowArn(scopeOf(ctx), '*')],
  async run(i, ctx) {
    checkWindowTargets(i.ResourceType, i.Targets);
    const windows = await windowsForTarget(ctx.services.db, windowsStore(ctx), scopeOf(ctx), { targets: i.Targets, resourceType: i.ResourceType });
    const { page, NextToken } = pageOf(windows, i, { op: 'DescribeMaintenanceWindowsForTarget', targets: i.Targets, type: i.ResourceType });
    return { WindowIdentities: page.map((w) => ({ WindowId: w.windowId, Name: w.name })), ...(NextToken ? { NextToken } : {}) };
  },
});
