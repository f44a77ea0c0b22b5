import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { topicNameOf } from '../notification-arns.js';
import { arnMemberSchema, arnScope, notificationsStore } from './notification-operation.js';

/**
 * DeleteTopic (SNS): deletes the topic and all its subscriptions; messages
 * not yet delivered to them end as Failed. Idempotent, as SNS documents it:
 * deleting a topic that does not exist succeeds.
 */
export const deleteTopic = defineOperation({
  service: 'Tend',
  name: 'DeleteTopic',
  action: 'sns:DeleteTopic',
  mutating: true,
  input: z.object({ TopicArn: arnMemberSchema }),
  resources: (input, ctx) => {
    topicNameOf(input.TopicArn, arnScope(ctx));
    return [input.TopicArn];
  },
  async run(input, ctx) {
    await notificationsStore(ctx).deleteTopic(input.TopicArn);
    return {};
  },
});
