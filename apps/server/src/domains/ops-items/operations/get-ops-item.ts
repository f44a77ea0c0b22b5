import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { invalidOpsItemParameter, opsItemArnSchema, opsItemIdSchema } from '../ops-item-rules.js';
import { arnOf, opsItemOutput, opsItemsStore } from './common.js';

const input = z.object({ OpsItemId: opsItemIdSchema, OpsItemArn: opsItemArnSchema.optional() });

/** GetOpsItem: the whole item, String operational data included. */
export const getOpsItem = defineOperation({
  service: 'AmazonSSM',
  name: 'GetOpsItem',
  action: 'ssm:GetOpsItem',
  input,
  mutating: false,
  resources: (i, ctx) => [arnOf(ctx, i.OpsItemId)],
  async run(i, ctx) {
    // The ARN is only another spelling of the id here; one naming another item is a contradiction, not a choice.
    if (i.OpsItemArn !== undefined && i.OpsItemArn !== arnOf(ctx, i.OpsItemId)) {
      throw invalidOpsItemParameter(['OpsItemArn'], `OpsItemArn ${i.OpsItemArn} does not name OpsItem ${i.OpsItemId} of this account and region.`);
    }
    return { OpsItem: opsItemOutput(ctx, await opsItemsStore(ctx).get(i.OpsItemId)) };
  },
});
