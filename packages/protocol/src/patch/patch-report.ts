import { z } from 'zod';
import { nodePackageFactsSchema, patchBaselineRulesSchema } from './patch-model.js';

/**
 * What an `aws:runPatchBaseline` step reports to the server with its
 * invocation result (issue 5): the node's package facts after the operation
 * and what the operation did. The server evaluates the facts against the
 * same baseline with the same function the agent used, so the compliance it
 * reports is computed in one place from facts, not taken on the agent's word.
 */
export const PATCH_REPORT_KIND = 'patch';

const packageRef = z.object({
  name: z.string().min(1).max(256),
  arch: z.string().min(1).max(64),
  version: z.string().min(1).max(256),
});

export const patchReportSchema = z.object({
  operation: z.enum(['Scan', 'Install']),
  /** The baseline the agent applied (BaselineOverride: the id it was given, with `override` set). */
  baselineId: z.string().min(1).max(128),
  override: z.boolean().optional(),
  /** The rules applied (the node's baseline, or the BaselineOverride): the server evaluates the facts against exactly these. */
  baseline: patchBaselineRulesSchema,
  patchGroup: z.string().max(256).optional(),
  snapshotId: z.string().max(36).optional(),
  rebootOption: z.enum(['RebootIfNeeded', 'NoReboot']),
  startedAt: z.number().int().nonnegative(),
  endedAt: z.number().int().nonnegative(),
  /** The node's packages once the operation was over (after the reboot, if one was done). */
  facts: nodePackageFactsSchema,
  /** Install: the versions installed by this operation; and those it tried and failed to install. */
  installed: z.array(packageRef.extend({ previousVersion: z.string().max(256).optional() })).max(100_000).default([]),
  failed: z.array(packageRef).max(100_000).default([]),
  /** The agent rebooted the node as part of the operation. */
  rebooted: z.boolean().default(false),
});
export type PatchReport = z.infer<typeof patchReportSchema>;
