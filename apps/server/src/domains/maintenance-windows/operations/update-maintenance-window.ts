import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { validationError } from '../../../rpc/errors.js';
import {
  checkWindowSettings,
  cutoffSchema,
  descriptionSchema,
  durationSchema,
  resourceNameSchema,
  scheduleOffsetSchema,
  scheduleSchema,
  timezoneSchema,
  windowIdSchema,
  type WindowSettings,
} from '../maintenance-window-rules.js';
import type { WindowRecord } from '../maintenance-windows.store.js';
import { arnOf, updatedWindowOutput, windowsStore } from './common.js';

const input = z.object({
  WindowId: windowIdSchema,
  Name: resourceNameSchema.optional(),
  Description: descriptionSchema.optional(),
  StartDate: z.string().optional(),
  EndDate: z.string().optional(),
  Schedule: scheduleSchema.optional(),
  ScheduleTimezone: timezoneSchema.optional(),
  ScheduleOffset: scheduleOffsetSchema.optional(),
  Duration: durationSchema.optional(),
  Cutoff: cutoffSchema.optional(),
  AllowUnassociatedTargets: z.boolean().optional(),
  Enabled: z.boolean().optional(),
  Replace: z.boolean().optional(),
});
type Input = z.infer<typeof input>;

/** Members CreateMaintenanceWindow requires, which Replace requires too. */
const REQUIRED_ON_REPLACE = ['Name', 'Schedule', 'Duration', 'Cutoff', 'AllowUnassociatedTargets'] as const;

/**
 * The window as the update would leave it. Without Replace, members not
 * given keep their value; with Replace, the optional ones not given are
 * cleared (Enabled, which creation does not take, is kept).
 */
function updated(current: WindowRecord, i: Input): WindowSettings {
  if (i.Replace) {
    const missing = REQUIRED_ON_REPLACE.filter((m) => i[m] === undefined);
    if (missing.length) throw validationError(`With Replace, every member CreateMaintenanceWindow requires must be given; missing: ${missing.join(', ')}`);
    return {
      name: i.Name!,
      description: i.Description,
      startDate: i.StartDate,
      endDate: i.EndDate,
      schedule: i.Schedule!,
      scheduleTimezone: i.ScheduleTimezone,
      scheduleOffset: i.ScheduleOffset,
      duration: i.Duration!,
      cutoff: i.Cutoff!,
      allowUnassociatedTargets: i.AllowUnassociatedTargets!,
      enabled: i.Enabled ?? current.enabled,
    };
  }
  return {
    name: i.Name ?? current.name,
    description: i.Description ?? current.description,
    startDate: i.StartDate ?? current.startDate,
    endDate: i.EndDate ?? current.endDate,
    schedule: i.Schedule ?? current.schedule,
    scheduleTimezone: i.ScheduleTimezone ?? current.scheduleTimezone,
    scheduleOffset: i.ScheduleOffset ?? current.scheduleOffset,
    duration: i.Duration ?? current.duration,
    cutoff: i.Cutoff ?? current.cutoff,
    allowUnassociatedTargets: i.AllowUnassociatedTargets ?? current.allowUnassociatedTargets,
    enabled: i.Enabled ?? current.enabled,
  };
}

/**
 * UpdateMaintenanceWindow: changes settings and moves the run timer with
 * them; disabling the window removes its timer (runs under way go on).
 */
export const updateMaintenanceWindow = defineOperation({
  service: 'AmazonSSM',
  name: 'UpdateMaintenanceWindow',
  action: 'ssm:UpdateMaintenanceWindow',
  input,
  mutating: true,
  resources: (i, ctx) => [arnOf(ctx, i.WindowId)],
  async run(i, ctx) {
    const window = await windowsStore(ctx).updateWindow(i.WindowId, (current) => {
      const next = updated(current, i);
      // A schedule changed to rate() or at() drops an offset that only applied to the old cron.
      checkWindowSettings(next);
      return next;
    });
    return updatedWindowOutput(window);
  },
});
