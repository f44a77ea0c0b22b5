import { z } from 'zod';
import { sql } from 'kysely';
import type { Database } from '../../../storage/schema.js';
import type { OperationContext } from '../../../rpc/operation.js';
import { ServiceError } from '../../../rpc/errors.js';
import { wireBaselineId } from '../patch-baseline-rules.js';
import { countsOf } from '../patch-report-handler.js';
import { epochSeconds } from '../../nodes/operations/node-operation.js';

export { epochSeconds };

/** Systems Manager's managed-node id pattern. */
export const instanceIdField = z.string().regex(/(^i-(\w{8}|\w{17})$)|(^mi-\w{17}$)/, 'Member must satisfy regular expression pattern: (^i-(\\w{8}|\\w{17})$)|(^mi-\\w{17}$)');
export const nextTokenField = z.string().min(1).max(1024).optional();
export const patchGroupField = z.string().min(1).max(256).regex(/^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u, 'Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$');

/** PatchOrchestratorFilter: Key 1–128 characters, up to 20 values of 1–256. */
export const patchOrchestratorFilters = z
  .array(z.object({ Key: z.string().min(1).max(128), Values: z.array(z.string().min(1).max(256)).max(20) }))
  .max(5)
  .optional();

/** Values of each key (repeated keys: every value of every occurrence), refusing keys not in `allowed`. */
export function filterValuesByKey<K extends string>(filters: { Key: string; Values: string[] }[] | undefined, allowed: readonly K[]): Map<K, string[]> {
  const byKey = new Map<K, string[]>();
  for (const f of filters ?? []) {
    if (!(allowed as readonly string[]).includes(f.Key)) {
      throw new ServiceError('InvalidFilter', `The filter key ${f.Key} is not valid. Valid filter keys: ${allowed.join(', ')}`);
    }
    byKey.set(f.Key as K, [...(byKey.get(f.Key as K) ?? []), ...f.Values]);
  }
  return byKey;
}

/** InstancePatchState from a stored row. */
export function instancePatchStateOutput(row: Database['instance_patch_states'], ctx: OperationContext) {
  const counts = countsOf(row);
  return {
    InstanceId: row.instance_id,
    PatchGroup: row.patch_group,
    BaselineId: wireBaselineId(row.baseline_id, { region: ctx.services.config.region, accountId: ctx.services.config.accountId }),
    ...(row.snapshot_id ? { SnapshotId: row.snapshot_id } : {}),
    ...counts,
    UnreportedNotApplicableCount: 0,
    OperationStartTime: epochSeconds(row.operation_start_time),
    OperationEndTime: epochSeconds(row.operation_end_time),
    Operation: row.operation,
    ...(row.last_no_reboot_install_operation_time !== null ? { LastNoRebootInstallOperationTime: epochSeconds(row.last_no_reboot_install_operation_time) } : {}),
    RebootOption: row.reboot_option,
  };
}

/** ComplianceStringFilter types. */
export const COMPLIANCE_OPERATORS = ['EQUAL', 'NOT_EQUAL', 'BEGIN_WITH', 'LESS_THAN', 'GREATER_THAN'] as const;
export const complianceFilters = z
  .array(
    z.object({
      Key: z.string().min(1).max(200),
      Values: z.array(z.string().min(1).max(1024)).min(1).max(20),
      Type: z.enum(COMPLIANCE_OPERATORS).optional(),
    }),
  )
  .max(20)
  .optional();
export type ComplianceFilter = NonNullable<z.infer<typeof complianceFilters>>[number];

/**
 * A compliance filter as a Kysely condition on `column`: the values are
 * alternatives for EQUAL and BEGIN_WITH, all excluded for NOT_EQUAL, and
 * LESS_THAN / GREATER_THAN compare as text with the first value.
 */
export function complianceCondition(eb: any, column: string, filter: ComplianceFilter) {
  const values = filter.Values;
  switch (filter.Type ?? 'EQUAL') {
    case 'EQUAL':
      return eb(column, 'in', values);
    case 'NOT_EQUAL':
      return eb(column, 'not in', values);
    case 'BEGIN_WITH':
      return eb.or(values.map((v: string) => sql<boolean>`${sql.ref(column)} like ${likePrefix(v)} escape '\\'`));
    case 'LESS_THAN':
      return eb(column, '<', values[0]);
    case 'GREATER_THAN':
      return eb(column, '>', values[0]);
  }
}

/** Compliance filters' keys → columns; unknown keys are InvalidFilter. */
export function columnsFor<T extends Record<string, string>>(filters: ComplianceFilter[] | undefined, columns: T): { column: T[keyof T]; filter: ComplianceFilter }[] {
  return (filters ?? []).map((filter) => {
    const column = columns[filter.Key];
    if (!column) throw new ServiceError('InvalidFilter', `The filter key ${filter.Key} is not valid. Valid filter keys: ${Object.keys(columns).join(', ')}`);
    return { column: column as T[keyof T], filter };
  });
}

/** A LIKE pattern matching values that begin with `prefix` (used with `escape '\\'`). */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
