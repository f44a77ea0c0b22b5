import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { MAX_TAGS_PER_RESOURCE, tagListSchema } from '../../tags/tag-rules.js';
import { checkTopicName, invalidParameter } from '../notification-arns.js';
import { attributeMapSchema, checkAttributeNames, notificationsStore } from './notification-operation.js';

const TOPIC_ATTRIBUTES = ['DisplayName'] as const;
const SNS_TOPIC_ATTRIBUTES = [
  'Policy',
  'DeliveryPolicy',
  'KmsMasterKeyId',
  'FifoTopic',
  'ContentBasedDeduplication',
  'SignatureVersion',
  'TracingConfig',
  'ArchivePolicy',
  'FifoThroughputScope',
];

/**
 * CreateTopic (SNS): answers the topic's ARN. Idempotent as in SNS: the same
 * name with the same attributes answers the existing topic.
 */
export const createTopic = defineOperation({
  service: 'Tend',
  name: 'CreateTopic',
  action: 'sns:CreateTopic',
  mutating: true,
  input: z.object({
    Name: z.string().min(1).max(300),
    Attributes: attributeMapSchema.optional(),
    Tags: tagListSchema(MAX_TAGS_PER_RESOURCE).optional(),
  }),
  resources: (input, ctx) => {
    checkTopicName(input.Name);
    return [notificationsStore(ctx).topicArn(input.Name)];
  },
  async run(input, ctx) {
    const attributes = input.Attributes ?? {};
    checkAttributeNames(attributes, TOPIC_ATTRIBUTES, SNS_TOPIC_ATTRIBUTES);
    if (attributes.DisplayName !== undefined && attributes.DisplayName.length > 100) {
      throw invalidParameter('Attributes Reason: DisplayName must be at most 100 characters');
    }
    const arn = await notificationsStore(ctx).createTopic(input.Name, attributes, input.Tags);
    return { TopicArn: arn };
  },
});
