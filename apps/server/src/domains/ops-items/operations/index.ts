import type { Operation } from '../../../rpc/operation.js';
import { createOpsItem } from './create-ops-item.js';
import { getOpsItem } from './get-ops-item.js';
import { updateOpsItem } from './update-ops-item.js';
import { describeOpsItems } from './describe-ops-items.js';

/** OpsCenter: OpsItems, one operation per file. */
export const opsItemOperations: Operation[] = [createOpsItem, getOpsItem, updateOpsItem, describeOpsItems];
