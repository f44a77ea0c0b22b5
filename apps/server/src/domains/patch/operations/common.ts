import { createHash } from 'node:crypto';
import { z } from 'zod';
import { formatPatchBaselineProblems, patchBaselineRulesSchema, validatePatchBaseline, type PatchBaselineRules } from '@tend/protocol';
import type { OperationContext } from '../../../rpc/operation.js';
import { validationError } from '../../../rpc/errors.js';
import { epochSeconds } from '../../parameters/parameter-output.js';
import { baselineArn, shortBaselineId, wireBaselineId, type BaselineRecord, type PatchScope } from '../patch-baseline-rules.js';
import { PatchBaselinesStore } from '../patch-baselines.store.js';

/** The store, built per request on the shared database and bound to the request's clock. */
export function baselinesStore(ctx: OperationContext): PatchBaselinesStore {
  return new PatchBaselinesStore({ db: ctx.services.db, dialect: ctx.services.dialect, now: () => ctx.now.getTime() });
}

export function scopeOf(ctx: OperationContext): PatchScope {
  return { region: ctx.services.config.region, accountId: ctx.services.config.accountId };
}

/** The ARN authorized for a call on one baseline (whatever form of id the caller gave). */
export function arnOf(ctx: OperationContext, baselineId: string): string {
  return baselineArn(scopeOf(ctx), shortBaselineId(baselineId) ?? baselineId);
}

/** The rule members of Create/UpdatePatchBaseline, exactly as Systems Manager's PatchBaseline has them. */
export const ruleMembers = patchBaselineRulesSchema.omit({ OperatingSystem: true }).shape;

/** Refuses a baseline that breaks its operating system's rules, with Systems Manager's ValidationException message. */
export function assertValidRules(rules: PatchBaselineRules): void {
  const problems = validatePatchBaseline(rules);
  if (problems.length) throw validationError(formatPatchBaselineProblems(problems));
}

/** A stable digest of a request, to tell a retried CreatePatchBaseline from another one with the same ClientToken. */
export function requestHash(request: unknown): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}

/** The rule fields of a baseline as the API answers them. */
export function ruleFields(b: BaselineRecord) {
  const r = b.rules;
  return {
    OperatingSystem: b.operatingSystem,
    GlobalFilters: r.GlobalFilters,
    ApprovalRules: r.ApprovalRules,
    ApprovedPatches: r.ApprovedPatches,
    ApprovedPatchesComplianceLevel: r.ApprovedPatchesComplianceLevel,
    ApprovedPatchesEnableNonSecurity: r.ApprovedPatchesEnableNonSecurity,
    RejectedPatches: r.RejectedPatches,
    RejectedPatchesAction: r.RejectedPatchesAction,
    Sources: r.Sources,
    ...(r.AvailableSecurityUpdatesComplianceStatus ? { AvailableSecurityUpdatesComplianceStatus: r.AvailableSecurityUpdatesComplianceStatus } : {}),
  };
}

/** A whole baseline as Get/UpdatePatchBaseline answer it (the predefined ones carry no dates). */
export function baselineOutput(b: BaselineRecord, scope: PatchScope) {
  return {
    BaselineId: wireBaselineId(b.baselineId, scope),
    Name: b.name,
    ...ruleFields(b),
    ...(b.description !== undefined ? { Description: b.description } : {}),
    ...(b.owner === 'Self' ? { CreatedDate: epochSeconds(b.createdAt), ModifiedDate: epochSeconds(b.modifiedAt) } : {}),
  };
}

/** PatchBaselineIdentity. */
export function baselineIdentity(b: BaselineRecord, scope: PatchScope, isDefault: boolean) {
  return {
    BaselineId: wireBaselineId(b.baselineId, scope),
    BaselineName: b.name,
    OperatingSystem: b.operatingSystem,
    ...(b.description !== undefined ? { BaselineDescription: b.description } : {}),
    DefaultBaseline: isDefault,
  };
}

/** PatchOrchestratorFilter, as DescribePatchBaselines and DescribePatchGroups take it. */
export const orchestratorFiltersField = z
  .array(z.object({ Key: z.string().min(1).max(128), Values: z.array(z.string().min(1).max(256)).max(20).optional() }))
  .max(5)
  .optional();

/** The values of one filter key across the list (filters with the same key OR their values). */
export function filterValues(filters: { Key: string; Values?: string[] }[] | undefined, key: string): string[] | undefined {
  const matching = (filters ?? []).filter((f) => f.Key === key);
  return matching.length ? matching.flatMap((f) => f.Values ?? []) : undefined;
}

/** Refuses filter keys the operation does not know, naming the ones it does. */
export function assertFilterKeys(filters: { Key: string }[] | undefined, known: readonly string[]): void {
  for (const f of filters ?? []) {
    if (!known.includes(f.Key)) throw validationError(`Filter key ${f.Key} is not valid; valid keys: ${known.join(', ')}`);
  }
}

export const nextTokenField = z.string().min(1).max(4096).optional();
