import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';

/** One state-changing call: who, what, when, from where, and how it ended. Never request values. */
export interface AuditEvent {
  eventId: number;
  eventTime: number;
  requestId: string;
  principalArn: string;
  accessKeyId: string;
  /** `AmazonSSM.PutParameter`, `Tend.CreateUser`, … */
  operation: string;
  resources: string[];
  sourceIp: string;
  /** `Success` or the error name. */
  outcome: string;
  errorMessage?: string;
}

export interface AuditQuery {
  /** Inclusive bounds, epoch milliseconds. */
  startTime?: number;
  endTime?: number;
  /** Each list, when given, keeps events matching any of its values. */
  principalArns?: string[];
  operations?: string[];
  outcomes?: string[];
  /** Newest first; page after this event id (exclusive). */
  beforeId?: number;
  limit: number;
}

export class AuditStore {
  constructor(private readonly db: Kysely<Database>) {}

  async record(event: Omit<AuditEvent, 'eventId'>): Promise<void> {
    await this.db
      .insertInto('audit_events')
      .values({
        event_time: event.eventTime,
        request_id: event.requestId,
        principal_arn: event.principalArn,
        access_key_id: event.accessKeyId,
        operation: event.operation,
        resources: JSON.stringify(event.resources),
        source_ip: event.sourceIp,
        outcome: event.outcome,
        error_message: event.errorMessage ?? null,
      })
      .execute();
  }

  /** Events newest first. */
  async list(query: AuditQuery): Promise<AuditEvent[]> {
    let q = this.db.selectFrom('audit_events').selectAll().orderBy('id', 'desc').limit(query.limit);
    if (query.startTime !== undefined) q = q.where('event_time', '>=', query.startTime);
    if (query.endTime !== undefined) q = q.where('event_time', '<=', query.endTime);
    if (query.principalArns?.length) q = q.where('principal_arn', 'in', query.principalArns);
    if (query.operations?.length) q = q.where('operation', 'in', query.operations);
    if (query.outcomes?.length) q = q.where('outcome', 'in', query.outcomes);
    if (query.beforeId !== undefined) q = q.where('id', '<', query.beforeId);
    const rows = await q.execute();
    return rows.map((r) => ({
      eventId: Number(r.id),
      eventTime: r.event_time,
      requestId: r.request_id,
      principalArn: r.principal_arn,
      accessKeyId: r.access_key_id,
      operation: r.operation,
      resources: JSON.parse(r.resources) as string[],
      sourceIp: r.source_ip,
      outcome: r.outcome,
      errorMessage: r.error_message ?? undefined,
    }));
  }
}
