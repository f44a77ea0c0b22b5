import { CreateOpsItemCommand, type CreateOpsItemCommandInput, type SSMClient } from '@aws-sdk/client-ssm';
import type { TestServer } from '../../testing/test-server.js';

/** Creates an OpsItem with the required members filled in and answers its id. */
export async function createOpsItem(ssm: SSMClient, overrides: Partial<CreateOpsItemCommandInput> = {}): Promise<string> {
  const { OpsItemId } = await ssm.send(new CreateOpsItemCommand({ Title: 'Disk almost full', Description: 'The root volume is 95% full.', Source: 'monitoring', ...overrides }));
  return OpsItemId!;
}

/** `/aws/dedup` operational data for a dedup string. */
export function dedup(dedupString: string) {
  return { '/aws/dedup': { Value: JSON.stringify({ dedupString }), Type: 'SearchableString' as const } };
}

/** The OpsItem rows and the outbox events: what a refused call must leave unchanged. */
export async function opsItemState(t: TestServer) {
  const db = t.server.services.db;
  return {
    items: (await db.selectFrom('ops_items').select(['ops_item_id', 'version', 'status']).orderBy('ops_item_id').execute()).map((r) => ({ ...r, version: Number(r.version) })),
    events: Number((await db.selectFrom('outbox_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
    tags: Number((await db.selectFrom('resource_tags').select((eb) => eb.fn.countAll().as('n')).where('resource_type', '=', 'OpsItem').executeTakeFirstOrThrow()).n),
  };
}

/** Messages published to topics about one OpsItem (the `notification.publish` outbox rows). */
export async function publishedAbout(t: TestServer, opsItemId: string) {
  const rows = await t.server.services.db.selectFrom('outbox_events').select('payload').where('event_type', '=', 'notification.publish').orderBy('id').execute();
  return rows
    .map((r) => JSON.parse(r.payload) as { topicArn: string; subject: string; message: string })
    .filter((m) => m.subject.includes(opsItemId))
    .map((m) => ({ ...m, body: JSON.parse(m.message) }));
}

/** The `opsitem.changed` events of one OpsItem. */
export async function changesOf(t: TestServer, opsItemId: string) {
  const rows = await t.server.services.db.selectFrom('outbox_events').select('payload').where('event_type', '=', 'opsitem.changed').orderBy('id').execute();
  return rows.map((r) => JSON.parse(r.payload)).filter((e) => e.opsItemId === opsItemId);
}
