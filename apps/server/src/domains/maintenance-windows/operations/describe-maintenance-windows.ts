import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { validationError } from '../../../rpc/errors.js';
import { checkFilterKeys, filterValues, maxResultsSchema, nextTokenSchema, windowArn, windowFiltersSchema } from '../maintenance-window-rules.js';
import { pageOf, scopeOf, windowIdentity, windowsStore } from './common.js';

const input = z.object({
  Filters: windowFiltersSchema,
  MaxResults: maxResultsSchema,
  NextToken: nextTokenSchema,
});

/** DescribeMaintenanceWindows: the account's windows, by Name and Enabled filters, in pages. */
export const describeMaintenanceWindows = defineOperation({
  service: 'AmazonSSM',
  name: 'DescribeMaintenanceWindows',
  action: 'ssm:DescribeMaintenanceWindows',
  input,
  mutating: false,
  resources: (_i, ctx) => [windowArn(scopeOf(ctx), '*')],
  async run(i, ctx) {
    checkFilterKeys(i.Filters, ['Name', 'Enabled']);
    const enabledValues = filterValues(i.Filters, 'Enabled');
    if (enabledValues?.some((v) => v !== 'true' && v !== 'false')) throw validationError('The Enabled filter takes true or false');
    // Both values asked for is no narrowing at all.
    const enabled = enabledValues && new Set(enabledValues).size === 1 ? enabledValues[0] === 'true' : undefined;
    const windows = await windowsStore(ctx).listWindows({ names: filterValues(i.Filters, 'Name'), ...(enabled !== undefined ? { enabled } : {}) });
    const { page, NextToken } = pageOf(windows, i, { op: 'DescribeMaintenanceWindows', filters: i.Filters ?? [] });
    const now = ctx.now.getTime();
    return { WindowIdentities: page.map((w) => windowIdentity(w, now)), ...(NextToken ? { NextToken } : {}) };
  },
});
