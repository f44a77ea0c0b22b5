import { CreatePatchBaselineCommand, type CreatePatchBaselineCommandInput, type SSMClient } from '@aws-sdk/client-ssm';
import type { TestServer } from '../../../testing/test-server.js';

export { useTestServer, userWithPolicy } from '../../parameters/operations/test-support.js';

/** A valid Debian baseline: security updates of Required/Important priority after 3 days, one package rejected. */
export function debianBaseline(name: string, extra: Partial<CreatePatchBaselineCommandInput> = {}): CreatePatchBaselineCommandInput {
  return {
    Name: name,
    OperatingSystem: 'DEBIAN',
    Description: `Debian baseline ${name}`,
    ApprovalRules: {
      PatchRules: [
        {
          PatchFilterGroup: { PatchFilters: [{ Key: 'PRIORITY', Values: ['Required', 'Important'] }] },
          ComplianceLevel: 'HIGH',
          ApproveAfterDays: 3,
        },
      ],
    },
    RejectedPatches: ['telnet'],
    ...extra,
  };
}

/** CreatePatchBaseline of {@link debianBaseline}; answers the new id. */
export async function createBaseline(ssm: SSMClient, name: string, extra: Partial<CreatePatchBaselineCommandInput> = {}): Promise<string> {
  const { BaselineId } = await ssm.send(new CreatePatchBaselineCommand(debianBaseline(name, extra)));
  return BaselineId!;
}

/** Rows of the baseline tables and baseline events, to check a refused call wrote nothing. */
export async function baselineState(t: TestServer): Promise<string> {
  const db = t.server.services.db;
  const [baselines, groups, defaults, tags, events] = await Promise.all([
    db.selectFrom('patch_baselines').selectAll().orderBy('baseline_id').execute(),
    db.selectFrom('patch_group_baselines').selectAll().orderBy('patch_group').orderBy('operating_system').execute(),
    db.selectFrom('patch_default_baselines').selectAll().orderBy('operating_system').execute(),
    db.selectFrom('resource_tags').selectAll().where('resource_type', '=', 'PatchBaseline').orderBy('resource_id').orderBy('tag_key').execute(),
    db.selectFrom('outbox_events').select('id').where('event_type', '=', 'patch.baseline.change').orderBy('id').execute(),
  ]);
  return JSON.stringify({ baselines, groups, defaults, tags, events });
}

/** The ARN Tend gives a predefined baseline, by its short id, on the test server's region and account. */
export function predefinedArn(shortId: string): string {
  return `arn:aws:ssm:us-east-1:123456789012:patchbaseline/${shortId}`;
}
