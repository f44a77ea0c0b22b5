import type { Operation } from '../../../rpc/operation.js';

export const auditOperations: Operation[] = [];
