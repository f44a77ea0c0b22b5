import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { checkFilterKeys, filterValues, maxResultsSchema, nextTokenSchema, windowFiltersSchema, windowIdSchema } from '../maintenance-window-rules.js';
import { arnOf, pageOf, targetOutput, windowsStore } from './common.js';

const input = z.object({
  WindowId: windowIdSchema,
  Filters: windowFiltersSchema,
  MaxResults: maxResultsSchema,
  NextToken: nextTokenSchema,
});

/** DescribeMaintenanceWindowTargets: a window's targets, by Type, WindowTargetId and OwnerInformation. */
export const describeMaintenanceWindowTargets = defineOperation({
  service: 'AmazonSSM',
  name: 'DescribeMaintenanceWindowTargets',
  action: 'ssm:DescribeMaintenanceWindowTargets',
  input,
  mutating: false,
  resources: (i, ctx) => [arnOf(ctx, i.WindowId)],
  async run(i, ctx) {
    checkFilterKeys(i.Filters, ['Type', 'WindowTargetId', 'OwnerInformation']);
    const types = filterValues(i.Filters, 'Type');
    const ids = filterValues(i.Filters, 'WindowTargetId');
    const owners = filterValues(i.Filters, 'OwnerInformation');
    const targets = (await windowsStore(ctx).listTargets(i.WindowId)).filter(
      (t) => (!types || types.includes(t.resourceType)) && (!ids || ids.includes(t.windowTargetId)) && (!owners || owners.includes(t.ownerInformation ?? '')),
    );
    const { page, NextToken } = pageOf(targets, i, { op: 'DescribeMaintenanceWindowTargets', window: i.WindowId, filters: i.Filters ?? [] });
    return { Targets: page.map(targetOutput), ...(NextToken ? { NextToken } : {}) };
  },
});
