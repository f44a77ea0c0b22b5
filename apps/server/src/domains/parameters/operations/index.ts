import type { Operation } from '../../../rpc/operation.js';

export const parameterOperations: Operation[] = [];
