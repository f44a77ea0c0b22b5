import type { Operation } from '../../../rpc/operation.js';

export const iamOperations: Operation[] = [];
