import type { Operation } from '../../../rpc/operation.js';
import { listAuditEvents } from './list-audit-events.js';

/** Reading the audit log (`Tend.ListAuditEvents`). */
export const auditOperations: Operation[] = [listAuditEvents];
