import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import { publishInTransaction } from '../notifications/publish.js';
import { PATCH_NOTIFICATION_TOPIC_SETTING, serviceSettingValue } from '../service-settings/service-settings.js';
import type { PatchStateEvent, RebootPendingEvent } from './patch-report-handler.js';

/** One message for the Patch Manager topic. */
export interface PatchNotification {
  subject: string;
  message: {
    eventType: 'patch.state' | 'reboot.pending';
    summary: string;
    event: PatchStateEvent | RebootPendingEvent;
  };
}

/**
 * What of a recorded patch operation is worth telling a person, so that a
 * team hears of a node once, not at every daily scan: a compliance that
 * changed while (or by) being non-compliant — newly missing or failed
 * patches — or that came back to compliant; and a node starting or ending
 * its wait for a reboot (those events are only written on a change).
 */
export function patchNotifications(state: PatchStateEvent, reboot: RebootPendingEvent | undefined): PatchNotification[] {
  const notifications: PatchNotification[] = [];
  const c = state.counts;
  const where = `patch group ${state.patchGroup || '(none)'}, baseline ${state.baselineId}, ${state.operation} of command ${state.commandId}`;
  if (state.changed && !state.compliant) {
    notifications.push({
      subject: `Tend Patch Manager: ${state.instanceId} is non-compliant`,
      message: {
        eventType: 'patch.state',
        summary: `${state.instanceId}: ${c.MissingCount} missing, ${c.FailedCount} failed, ${c.InstalledPendingRebootCount} installed pending reboot, ${c.InstalledRejectedCount} rejected installed (${c.CriticalNonCompliantCount} critical, ${c.SecurityNonCompliantCount} security) — ${where}.`,
        event: state,
      },
    });
  } else if (state.changed && state.compliant && state.previouslyCompliant === false) {
    notifications.push({
      subject: `Tend Patch Manager: ${state.instanceId} is compliant again`,
      message: { eventType: 'patch.state', summary: `${state.instanceId} is compliant again — ${where}.`, event: state },
    });
  }
  if (reboot) {
    const waiting = reboot.pending
      ? `${reboot.instanceId} waits for a reboot to finish installing ${reboot.pendingCount} patch(es): ${reboot.packages.join(', ')}${reboot.pendingCount > reboot.packages.length ? ', …' : ''}.`
      : `${reboot.instanceId} no longer waits for a reboot.`;
    notifications.push({
      subject: `Tend Patch Manager: ${reboot.instanceId} ${reboot.pending ? 'waits for a reboot' : 'was rebooted'}`,
      message: { eventType: 'reboot.pending', summary: waiting, event: reboot },
    });
  }
  return notifications;
}

/** Publishes them to the topic of the `/tend/patch-manager/notification-topic` setting, in the report's transaction; no topic set, nothing sent. */
export async function notifyPatchEvents(trx: Kysely<Database>, state: PatchStateEvent, reboot: RebootPendingEvent | undefined, now: number): Promise<void> {
  const notifications = patchNotifications(state, reboot);
  if (notifications.length === 0) return;
  const topicArn = await serviceSettingValue(trx, PATCH_NOTIFICATION_TOPIC_SETTING);
  if (!topicArn) return;
  for (const { subject, message } of notifications) {
    await publishInTransaction(trx, { topicArn, subject: subject.slice(0, 99), message: JSON.stringify(message) }, { now, ifTopicMissing: 'skip' });
  }
}
