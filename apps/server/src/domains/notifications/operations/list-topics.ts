import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { finishPage, nextTokenSchema, notificationsStore, pagePosition, SNS_PAGE_SIZE } from './notification-operation.js';

/** ListTopics (SNS): topic ARNs ordered by name, 100 a page. */
export const listTopics = defineOperation({
  service: 'Tend',
  name: 'ListTopics',
  action: 'sns:ListTopics',
  mutating: false,
  input: z.object({ NextToken: nextTokenSchema }),
  resources: () => [],
  async run(input, ctx) {
    const rows = await notificationsStore(ctx).listTopics(pagePosition(input.NextToken, 'ListTopics'), SNS_PAGE_SIZE + 1);
    const page = finishPage(rows, SNS_PAGE_SIZE, 'ListTopics', (t) => t.name);
    return { Topics: page.items.map((t) => ({ TopicArn: t.arn })), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
  },
});
