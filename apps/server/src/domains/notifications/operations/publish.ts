import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { signalOutboxWritten } from '../../../events/outbox-signal.js';
import { invalidParameter, topicNameOf } from '../notification-arns.js';
import { publishInTransaction } from '../publish.js';
import { arnMemberSchema, arnScope } from './notification-operation.js';

/**
 * Publish (SNS) to a topic: the message is written to the outbox in one
 * transaction and delivered to every subscription of the topic, at least
 * once, with retries (see Tend.ListDeliveries).
 */
export const publish = defineOperation({
  service: 'Tend',
  name: 'Publish',
  action: 'sns:Publish',
  mutating: true,
  input: z.object({
    TopicArn: arnMemberSchema.optional(),
    // Declared only to be refused with SNS's error: Tend publishes to topics only.
    TargetArn: z.string().optional(),
    PhoneNumber: z.string().optional(),
    Message: z.string(),
    Subject: z.string().optional(),
    MessageStructure: z.string().optional(),
    MessageAttributes: z.record(z.string(), z.object({ DataType: z.string().min(1), StringValue: z.string().optional(), BinaryValue: z.unknown().optional() })).optional(),
  }),
  resources: (input, ctx) => {
    if (input.TargetArn !== undefined || input.PhoneNumber !== undefined) throw invalidParameter('Tend publishes to topics only: give TopicArn');
    if (input.TopicArn === undefined) throw invalidParameter('TopicArn or TargetArn Reason: no value for required parameter');
    topicNameOf(input.TopicArn, arnScope(ctx));
    return [input.TopicArn];
  },
  async run(input, ctx) {
    const messageAttributes = input.MessageAttributes
      ? Object.fromEntries(Object.entries(input.MessageAttributes).map(([k, v]) => [k, { DataType: v.DataType, StringValue: v.StringValue }]))
      : undefined;
    const messageId = await ctx.services.db.transaction().execute((trx) =>
      publishInTransaction(
        trx,
        { topicArn: input.TopicArn!, subject: input.Subject, message: input.Message, messageStructure: input.MessageStructure, messageAttributes },
        { now: ctx.now.getTime() },
      ),
    );
    signalOutboxWritten();
    return { MessageId: messageId };
  },
});
