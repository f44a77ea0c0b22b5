import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  DEFAULT_BASELINES,
  OPERATING_SYSTEMS,
  TEND_PATCHED_OPERATING_SYSTEMS,
  type OperatingSystem,
  type PatchBaseline,
  type PatchBaselineRules,
} from '@tend/protocol';
import { ServiceError } from '../../rpc/errors.js';

/**
 * Identity, naming and limits of patch baselines and patch groups, with
 * Systems Manager's constraints (API reference: CreatePatchBaseline,
 * PatchBaselineIdentity, RegisterPatchBaselineForPatchGroup).
 */

/** Where ARNs point: the server's region and account. */
export interface PatchScope {
  region: string;
  accountId: string;
}

/** `pb-` and 17 hex digits: the id of an account's own baseline (and the tail of every baseline ARN). */
export const SHORT_BASELINE_ID = /^pb-[0-9a-f]{17}$/;
/** BaselineId as the API accepts it: the short id or an ARN. */
export const BASELINE_ID_PATTERN = /^[a-zA-Z0-9_\-:/]{20,128}$/;
export const baselineIdSchema = z.string().regex(BASELINE_ID_PATTERN, 'Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-:/]{20,128}$');
export const baselineNameSchema = z.string().regex(/^[a-zA-Z0-9_\-.]{3,128}$/, 'Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-.]{3,128}$');
export const baselineDescriptionSchema = z.string().min(1).max(1024);
export const patchGroupSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, 'Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$');
export const operatingSystemField = z.enum(OPERATING_SYSTEMS);

/**
 * Systems Manager's default quotas: baselines an account may create, and
 * patch groups one baseline may be registered for.
 */
export const MAX_PATCH_BASELINES = 50;
export const MAX_PATCH_GROUPS_PER_BASELINE = 25;

/** `resource_tags.resource_type` of baselines (ResourceType PatchBaseline of the tagging API). */
export const PATCH_BASELINE_TAG_RESOURCE = 'PatchBaseline';

/**
 * The predefined baselines' ids: fixed, so a patch group registration, a
 * default registration or a script that names one stays valid across
 * releases. Clients see them as ARNs (`arn:aws:ssm:<region>:<account>:patchbaseline/<id>`),
 * the shape Systems Manager gives its predefined baselines; the short id is
 * accepted as input too. Custom ids are random, so they never take these.
 */
export const PREDEFINED_BASELINE_IDS: Readonly<Record<(typeof TEND_PATCHED_OPERATING_SYSTEMS)[number], string>> = {
  DEBIAN: 'pb-0000000000000de01',
  UBUNTU: 'pb-0000000000000de02',
  REDHAT_ENTERPRISE_LINUX: 'pb-0000000000000e101',
  ROCKY_LINUX: 'pb-0000000000000e102',
  ALMA_LINUX: 'pb-0000000000000e103',
  CENTOS: 'pb-0000000000000e104',
  AMAZON_LINUX_2023: 'pb-0000000000000a123',
  SUSE: 'pb-00000000000005e01',
};

/** A baseline as the domain handles it: a predefined one or the account's own. */
export interface BaselineRecord {
  /** The short id (`pb-…`); {@link wireBaselineId} gives what clients see. */
  baselineId: string;
  owner: 'Self' | 'AWS';
  name: string;
  description?: string;
  operatingSystem: OperatingSystem;
  /** Every rule field filled in with Systems Manager's defaults ({@link normalizeRules}). */
  rules: PatchBaselineRules & { OperatingSystem: OperatingSystem };
  /** Epoch ms; 0 for the predefined baselines, which have always existed. */
  createdAt: number;
  modifiedAt: number;
}

const PREDEFINED: BaselineRecord[] = Object.entries(PREDEFINED_BASELINE_IDS).map(([os, id]) => {
  const b = DEFAULT_BASELINES[os as OperatingSystem] as PatchBaseline;
  const { Name, Description, BaselineId: _id, ...rules } = b;
  return {
    baselineId: id,
    owner: 'AWS' as const,
    name: Name,
    ...(Description ? { description: Description } : {}),
    operatingSystem: os as OperatingSystem,
    rules: normalizeRules({ ...rules, OperatingSystem: os as OperatingSystem }),
    createdAt: 0,
    modifiedAt: 0,
  };
});
const PREDEFINED_BY_ID = new Map(PREDEFINED.map((b) => [b.baselineId, b]));

/** Every predefined baseline, in name order. */
export function predefinedBaselines(): BaselineRecord[] {
  return [...PREDEFINED].sort((a, b) => compareText(a.name, b.name));
}

/** The predefined baseline with this short id. */
export function predefinedBaseline(shortId: string): BaselineRecord | undefined {
  return PREDEFINED_BY_ID.get(shortId);
}

/** The predefined baseline of an operating system (the default while none is registered), if Tend has one. */
export function predefinedBaselineFor(os: OperatingSystem): BaselineRecord | undefined {
  const id = (PREDEFINED_BASELINE_IDS as Partial<Record<OperatingSystem, string>>)[os];
  return id ? PREDEFINED_BY_ID.get(id) : undefined;
}

export function baselineArn(scope: PatchScope, shortId: string): string {
  return `arn:aws:ssm:${scope.region}:${scope.accountId}:patchbaseline/${shortId}`;
}

/** What clients see as BaselineId: the ARN for a predefined baseline (as Systems Manager answers), the short id otherwise. */
export function wireBaselineId(shortId: string, scope: PatchScope): string {
  return PREDEFINED_BY_ID.has(shortId) ? baselineArn(scope, shortId) : shortId;
}

/**
 * The short id a BaselineId designates: the id itself, or the tail of a
 * `patchbaseline/` ARN. Undefined when it names no baseline shape at all
 * (the caller answers DoesNotExistException).
 */
export function shortBaselineId(id: string): string | undefined {
  const tail = /^arn:aws:ssm:[a-z0-9-]*:[0-9]*:patchbaseline\/(pb-[0-9a-f]{17})$/.exec(id)?.[1] ?? id;
  return SHORT_BASELINE_ID.test(tail) ? tail : undefined;
}

/** A new random id for an account's own baseline. */
export function newBaselineId(): string {
  for (;;) {
    const id = `pb-${randomBytes(9).toString('hex').slice(0, 17)}`;
    if (!PREDEFINED_BY_ID.has(id)) return id;
  }
}

/**
 * The rules with every optional member at Systems Manager's default, so
 * what GetPatchBaseline answers and what the agent evaluates are the same
 * complete baseline.
 */
export function normalizeRules(rules: PatchBaselineRules): PatchBaselineRules & { OperatingSystem: OperatingSystem } {
  return {
    OperatingSystem: rules.OperatingSystem ?? 'WINDOWS',
    GlobalFilters: { PatchFilters: (rules.GlobalFilters?.PatchFilters ?? []).map((f) => ({ Key: f.Key, Values: [...f.Values] })) },
    ApprovalRules: {
      PatchRules: (rules.ApprovalRules?.PatchRules ?? []).map((r) => ({
        PatchFilterGroup: { PatchFilters: (r.PatchFilterGroup?.PatchFilters ?? []).map((f) => ({ Key: f.Key, Values: [...f.Values] })) },
        ComplianceLevel: r.ComplianceLevel ?? 'UNSPECIFIED',
        ...(r.ApproveAfterDays !== undefined ? { ApproveAfterDays: r.ApproveAfterDays } : {}),
        ...(r.ApproveUntilDate !== undefined ? { ApproveUntilDate: r.ApproveUntilDate } : {}),
        EnableNonSecurity: r.EnableNonSecurity ?? false,
      })),
    },
    ApprovedPatches: [...(rules.ApprovedPatches ?? [])],
    ApprovedPatchesComplianceLevel: rules.ApprovedPatchesComplianceLevel ?? 'UNSPECIFIED',
    ApprovedPatchesEnableNonSecurity: rules.ApprovedPatchesEnableNonSecurity ?? false,
    RejectedPatches: [...(rules.RejectedPatches ?? [])],
    RejectedPatchesAction: rules.RejectedPatchesAction ?? 'ALLOW_AS_DEPENDENCY',
    Sources: (rules.Sources ?? []).map((s) => ({ Name: s.Name, Products: [...s.Products], Configuration: s.Configuration })),
    ...(rules.AvailableSecurityUpdatesComplianceStatus ? { AvailableSecurityUpdatesComplianceStatus: rules.AvailableSecurityUpdatesComplianceStatus } : {}),
  };
}

/** Byte order for ASCII names, the same on both databases (their text columns collate bytewise). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function baselineNotFound(id: string): ServiceError {
  return new ServiceError('DoesNotExistException', `Patch baseline ${id} does not exist.`);
}

/** Predefined baselines cannot be changed or deleted (copy one to customize it). */
export function predefinedReadOnly(id: string, what: string): ServiceError {
  return new ServiceError('ValidationException', `Patch baseline ${id} is predefined and cannot be ${what}; create your own baseline to customize it.`);
}
