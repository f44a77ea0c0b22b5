import { sql, type Kysely } from 'kysely';
import type { OperatingSystem, PatchBaselineRules } from '@tend/protocol';
import type { Database } from '../../storage/schema.js';
import type { NodeInputsResolver } from '../commands/command-engine.js';
import { MANAGED_NODE_TAG_RESOURCE } from '../resource-groups/node-membership.js';
import { isPatchedByTend, nodePatchPlatform } from './node-operating-system.js';
import { predefinedBaseline, type BaselineRecord } from './patch-baseline-rules.js';
import { defaultBaselines, recordOf } from './patch-baselines.store.js';

/** The tag keys that put a node in a patch group: Systems Manager's, and the spelling without a space it also accepts. */
export const PATCH_GROUP_TAG_KEYS = ['Patch Group', 'PatchGroup'] as const;

/** The baseline that applies to one node, and why. */
export interface EffectiveBaseline {
  instanceId: string;
  operatingSystem: OperatingSystem;
  /** PRODUCT of the node, when its platform version gives it. */
  product?: string;
  /** The node's patch group (its `Patch Group` tag, else its `PatchGroup` tag). */
  patchGroup?: string;
  /** The baseline registered for the patch group and the node's OS, else the OS's default baseline. */
  baseline: BaselineRecord;
}

/** What an aws:runPatchBaseline step gets per node (the agent's patch-inputs). */
export interface PatchBaselineInputs {
  BaselineId: string;
  PatchGroup?: string;
  OperatingSystem: OperatingSystem;
  Baseline: PatchBaselineRules;
}

// Nodes per statement: well under both databases' bound-parameter limits.
const BATCH = 1000;

/**
 * The effective baseline of each node in `instanceIds`. A node whose OS
 * Tend does not patch, or that has no baseline (no default for its OS),
 * or that is unknown, is left out. One statement per thousand nodes reads
 * the nodes, their patch-group tags, the registrations of those groups and
 * the registered baselines; one more reads the defaults.
 */
export async function effectiveBaselines(db: Kysely<Database>, instanceIds: string[]): Promise<Map<string, EffectiveBaseline>> {
  const out = new Map<string, EffectiveBaseline>();
  const ids = [...new Set(instanceIds)];
  if (ids.length === 0) return out;
  const defaults = await defaultBaselines(db);
  for (let i = 0; i < ids.length; i += BATCH) {
    const rows = await db
      .selectFrom('managed_nodes as n')
      .leftJoin('resource_tags as g1', (join) =>
        join.onRef('g1.resource_id', '=', 'n.instance_id').on('g1.resource_type', '=', MANAGED_NODE_TAG_RESOURCE).on('g1.tag_key', '=', PATCH_GROUP_TAG_KEYS[0]),
      )
      .leftJoin('resource_tags as g2', (join) =>
        join.onRef('g2.resource_id', '=', 'n.instance_id').on('g2.resource_type', '=', MANAGED_NODE_TAG_RESOURCE).on('g2.tag_key', '=', PATCH_GROUP_TAG_KEYS[1]),
      )
      // Every OS the node's group has a baseline for; the node's own OS is picked below (it is derived from the platform name).
      .leftJoin('patch_group_baselines as r', (join) => join.on(sql`r.patch_group`, '=', sql`coalesce(nullif(g1.tag_value, ''), nullif(g2.tag_value, ''))`))
      .leftJoin('patch_baselines as b', 'b.baseline_id', 'r.baseline_id')
      .select([
        'n.instance_id',
        'n.platform_name',
        'n.platform_version',
        'g1.tag_value as group1',
        'g2.tag_value as group2',
        'r.operating_system as registered_os',
        'r.baseline_id as registered_id',
        'b.baseline_id',
        'b.name',
        'b.description',
        'b.operating_system',
        'b.rules',
        'b.client_token',
        'b.request_hash',
        'b.created_at',
        'b.modified_at',
      ])
      .where('n.instance_id', 'in', ids.slice(i, i + BATCH))
      .execute();
    // A node has one row per OS its group has a baseline for (or one row without): keep the row of its own OS.
    const registered = new Map<string, BaselineRecord>();
    for (const row of rows) {
      const platform = nodePatchPlatform(row.platform_name, row.platform_version);
      if (!platform || row.registered_os !== platform.operatingSystem || row.registered_id === null) continue;
      const baseline = predefinedBaseline(row.registered_id) ?? (row.baseline_id !== null ? recordOf(row as Parameters<typeof recordOf>[0]) : undefined);
      if (baseline) registered.set(row.instance_id, baseline);
    }
    for (const row of rows) {
      if (out.has(row.instance_id)) continue;
      const platform = nodePatchPlatform(row.platform_name, row.platform_version);
      if (!platform || !isPatchedByTend(platform.operatingSystem)) continue;
      const baseline = registered.get(row.instance_id) ?? defaults.get(platform.operatingSystem);
      if (!baseline) continue;
      const patchGroup = row.group1 || row.group2 || undefined;
      out.set(row.instance_id, {
        instanceId: row.instance_id,
        operatingSystem: platform.operatingSystem,
        ...(platform.product ? { product: platform.product } : {}),
        ...(patchGroup ? { patchGroup } : {}),
        baseline,
      });
    }
  }
  return out;
}

/** The effective baseline of one node (GetDeployablePatchSnapshotForInstance), or undefined when none applies. */
export async function effectiveBaselineFor(db: Kysely<Database>, instanceId: string): Promise<EffectiveBaseline | undefined> {
  return (await effectiveBaselines(db, [instanceId])).get(instanceId);
}

/** The inputs of an aws:runPatchBaseline step for one node. */
export function patchBaselineInputsOf(effective: EffectiveBaseline): PatchBaselineInputs {
  return {
    BaselineId: effective.baseline.baselineId,
    ...(effective.patchGroup ? { PatchGroup: effective.patchGroup } : {}),
    OperatingSystem: effective.operatingSystem,
    Baseline: effective.baseline.rules,
  };
}

/**
 * Run Command's per-node inputs for aws:runPatchBaseline (main.ts wires
 * it): each node gets the baseline that applies to it at send time, so the
 * agent needs no call back to the server and a later baseline change does
 * not alter a command already sent.
 */
export const resolvePatchBaselineInputs: NodeInputsResolver = async (db, instanceIds) => {
  const out = new Map<string, Record<string, unknown>>();
  for (const [id, effective] of await effectiveBaselines(db, instanceIds)) out.set(id, { ...patchBaselineInputsOf(effective) });
  return out;
};
