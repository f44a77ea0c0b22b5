import { sql } from 'kysely';
import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { nodeIsGone } from '../patch-compliance.store.js';
import { patchGroupField } from './compliance-common.js';

const input = z.object({ PatchGroup: patchGroupField });

/**
 * DescribePatchGroupState: how many of the group's nodes have patches in
 * each state (a node with 3 missing patches counts once in
 * InstancesWithMissingPatches). Computed from the nodes' last reports.
 */
export const describePatchGroupState = defineOperation({
  service: 'AmazonSSM',
  name: 'DescribePatchGroupState',
  action: 'ssm:DescribePatchGroupState',
  input,
  mutating: false,
  resources: () => [],
  async run(i, ctx) {
    const having = (column: string) => sql<number>`sum(case when ${sql.ref(column)} > 0 then 1 else 0 end)`;
    const row = await ctx.services.db
      .selectFrom('instance_patch_states')
      .select((eb) => [
        eb.fn.countAll<number>().as('instances'),
        having('installed_count').as('installed'),
        having('installed_other_count').as('installed_other'),
        having('installed_pending_reboot_count').as('pending_reboot'),
        having('installed_rejected_count').as('rejected'),
        having('missing_count').as('missing'),
        having('failed_count').as('failed'),
        having('not_applicable_count').as('not_applicable'),
        having('critical_non_compliant_count').as('critical'),
        having('security_non_compliant_count').as('security'),
        having('other_non_compliant_count').as('other'),
      ])
      .where('patch_group', '=', i.PatchGroup)
      .where((eb) => eb.not(nodeIsGone('instance_patch_states.instance_id')))
      .executeTakeFirstOrThrow();
    const n = (v: unknown) => Number(v ?? 0);
    return {
      Instances: n(row.instances),
      InstancesWithInstalledPatches: n(row.installed),
      InstancesWithInstalledOtherPatches: n(row.installed_other),
      InstancesWithInstalledPendingRebootPatches: n(row.pending_reboot),
      InstancesWithInstalledRejectedPatches: n(row.rejected),
      InstancesWithMissingPatches: n(row.missing),
      InstancesWithFailedPatches: n(row.failed),
      InstancesWithNotApplicablePatches: n(row.not_applicable),
      InstancesWithUnreportedNotApplicablePatches: 0,
      InstancesWithCriticalNonCompliantPatches: n(row.critical),
      InstancesWithSecurityNonCompliantPatches: n(row.security),
      InstancesWithOtherNonCompliantPatches: n(row.other),
      InstancesWithAvailableSecurityUpdates: 0,
    };
  },
});
