import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { validationError } from '../../../rpc/errors.js';
import { decodeNextToken, encodeNextToken, queryFingerprint } from '../../../rpc/page-token.js';
import { executionTimeText, nextTokenSchema, windowArn, windowIdSchema, windowScheduleOf } from '../maintenance-window-rules.js';
import { upcomingRunTimes } from '../schedule.js';
import { checkWindowTargets } from '../window-targets.js';
import { windowsForTarget } from '../windows-for-target.js';
import { scopeOf, targetsSchema, windowsStore } from './common.js';

const input = z.object({
  WindowId: windowIdSchema.optional(),
  Targets: targetsSchema.optional(),
  ResourceType: z.enum(['INSTANCE', 'RESOURCE_GROUP']).optional(),
  Filters: z.array(z.object({ Key: z.string().min(1).max(128), Values: z.array(z.string()).optional() })).max(5).optional(),
  MaxResults: z.number().int().min(1).max(100).optional(),
  NextToken: nextTokenSchema,
});

/**
 * DescribeMaintenanceWindowSchedule: the coming runs of one window, or of
 * every window a target belongs to, soonest first.
 */
export const describeMaintenanceWindowSchedule = defineOperation({
  service: 'AmazonSSM',
  name: 'DescribeMaintenanceWindowSchedule',
  action: 'ssm:DescribeMaintenanceWindowSchedule',
  input,
  mutating: false,
  resources: (i, ctx) => [windowArn(scopeOf(ctx), i.WindowId ?? '*')],
  async run(i, ctx) {
    if (i.Filters?.length) throw validationError('Tend does not filter DescribeMaintenanceWindowSchedule; narrow it with WindowId or Targets');
    if ((i.WindowId === undefined) === (i.Targets === undefined)) throw validationError('Give either WindowId or Targets (with ResourceType)');
    const store = windowsStore(ctx);
    let windows;
    if (i.WindowId !== undefined) {
      windows = [await store.getWindow(i.WindowId)];
    } else {
      const resourceType = i.ResourceType ?? 'INSTANCE';
      checkWindowTargets(resourceType, i.Targets!);
      windows = await windowsForTarget(ctx.services.db, store, scopeOf(ctx), { targets: i.Targets!, resourceType });
    }
    const fingerprint = queryFingerprint({ op: 'DescribeMaintenanceWindowSchedule', window: i.WindowId, targets: i.Targets, type: i.ResourceType });
    const offset = decodeNextToken<number>(i.NextToken, fingerprint, 'number') ?? 0;
    const size = i.MaxResults ?? 10;
    // Enough runs of each window to fill this page and tell whether another follows.
    const wanted = offset + size + 1;
    const now = ctx.now;
    const runs = windows
      .filter((w) => w.enabled)
      .flatMap((w) => upcomingRunTimes(windowScheduleOf(w), now, wanted).map((at) => ({ at, window: w })))
      .sort((a, b) => a.at.getTime() - b.at.getTime() || a.window.windowId.localeCompare(b.window.windowId))
      .slice(0, wanted);
    const page = runs.slice(offset, offset + size);
    return {
      ScheduledWindowExecutions: page.map((r) => ({ WindowId: r.window.windowId, Name: r.window.name, ExecutionTime: executionTimeText(r.at) })),
      ...(runs.length > offset + size ? { NextToken: encodeNextToken(offset + size, fingerprint) } : {}),
    };
  },
});
