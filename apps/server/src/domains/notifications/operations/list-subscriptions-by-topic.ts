import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { topicNameOf, topicNotFound } from '../notification-arns.js';
import {
  arnMemberSchema,
  arnScope,
  finishPage,
  nextTokenSchema,
  notificationsStore,
  pagePosition,
  SNS_PAGE_SIZE,
  subscriptionShape,
} from './notification-operation.js';

/** ListSubscriptionsByTopic (SNS): one topic's subscriptions; NotFoundException when the topic does not exist. */
export const listSubscriptionsByTopic = defineOperation({
  service: 'Tend',
  name: 'ListSubscriptionsByTopic',
  action: 'sns:ListSubscriptionsByTopic',
  mutating: false,
  input: z.object({ TopicArn: arnMemberSchema, NextToken: nextTokenSchema }),
  resources: (input, ctx) => {
    topicNameOf(input.TopicArn, arnScope(ctx));
    return [input.TopicArn];
  },
  async run(input, ctx) {
    const store = notificationsStore(ctx);
    // The listing is bound to its topic, so a token from another topic's listing is refused.
    const listing = `ListSubscriptionsByTopic:${input.TopicArn}`;
    const afterArn = pagePosition(input.NextToken, listing);
    if (!(await store.getTopic(input.TopicArn))) throw topicNotFound();
    const rows = await store.listSubscriptions({ topicArn: input.TopicArn, afterArn, limit: SNS_PAGE_SIZE + 1 });
    const page = finishPage(rows, SNS_PAGE_SIZE, listing, (s) => s.arn);
    return { Subscriptions: page.items.map((s) => subscriptionShape(s, ctx)), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
  },
});
