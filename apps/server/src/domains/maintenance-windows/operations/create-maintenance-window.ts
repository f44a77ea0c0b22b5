import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { MAX_TAGS_PER_RESOURCE, tagListSchema } from '../../tags/tag-rules.js';
import { requestHash } from '../../patch/operations/common.js';
import {
  checkWindowSettings,
  clientTokenSchema,
  cutoffSchema,
  descriptionSchema,
  durationSchema,
  resourceNameSchema,
  scheduleOffsetSchema,
  scheduleSchema,
  timezoneSchema,
  windowArn,
  type WindowSettings,
} from '../maintenance-window-rules.js';
import { scopeOf, windowsStore } from './common.js';

const input = z.object({
  Name: resourceNameSchema,
  Description: descriptionSchema.optional(),
  StartDate: z.string().optional(),
  EndDate: z.string().optional(),
  Schedule: scheduleSchema,
  ScheduleTimezone: timezoneSchema.optional(),
  ScheduleOffset: scheduleOffsetSchema.optional(),
  Duration: durationSchema,
  Cutoff: cutoffSchema,
  AllowUnassociatedTargets: z.boolean(),
  ClientToken: clientTokenSchema.optional(),
  // An empty list is the same as none.
  Tags: z.preprocess((v) => (Array.isArray(v) && v.length === 0 ? undefined : v), tagListSchema(MAX_TAGS_PER_RESOURCE).optional()),
});

/** CreateMaintenanceWindow: a window, enabled, whose run timer is set to its first scheduled time. */
export const createMaintenanceWindow = defineOperation({
  service: 'AmazonSSM',
  name: 'CreateMaintenanceWindow',
  action: 'ssm:CreateMaintenanceWindow',
  input,
  mutating: true,
  // The id is not known before the call: the action applies to the account's windows.
  resources: (_i, ctx) => [windowArn(scopeOf(ctx), '*')],
  async run(i, ctx) {
    const settings: WindowSettings = {
      name: i.Name,
      description: i.Description,
      startDate: i.StartDate,
      endDate: i.EndDate,
      schedule: i.Schedule,
      scheduleTimezone: i.ScheduleTimezone,
      scheduleOffset: i.ScheduleOffset,
      duration: i.Duration,
      cutoff: i.Cutoff,
      allowUnassociatedTargets: i.AllowUnassociatedTargets,
      enabled: true,
    };
    checkWindowSettings(settings);
    const { ClientToken, ...request } = i;
    const window = await windowsStore(ctx).createWindow({
      settings,
      tags: i.Tags ?? [],
      ...(ClientToken !== undefined ? { clientToken: ClientToken } : {}),
      requestHash: requestHash(request),
    });
    return { WindowId: window.windowId };
  },
});
