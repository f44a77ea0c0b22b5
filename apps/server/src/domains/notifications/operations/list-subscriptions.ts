import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { finishPage, nextTokenSchema, notificationsStore, pagePosition, SNS_PAGE_SIZE, subscriptionShape } from './notification-operation.js';

/** ListSubscriptions (SNS): every subscription, ordered by ARN, 100 a page; endpoints with their credentials masked. */
export const listSubscriptions = defineOperation({
  service: 'Tend',
  name: 'ListSubscriptions',
  action: 'sns:ListSubscriptions',
  mutating: false,
  input: z.object({ NextToken: nextTokenSchema }),
  resources: () => [],
  async run(input, ctx) {
    const rows = await notificationsStore(ctx).listSubscriptions({ afterArn: pagePosition(input.NextToken, 'ListSubscriptions'), limit: SNS_PAGE_SIZE + 1 });
    const page = finishPage(rows, SNS_PAGE_SIZE, 'ListSubscriptions', (s) => s.arn);
    return { Subscriptions: page.items.map((s) => subscriptionShape(s, ctx)), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
  },
});
