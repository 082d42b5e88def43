import { Logger } from '@aws-lambda-powertools/logger';
import { SNSClient } from '@aws-sdk/client-sns';
import { requireEnv } from '../shared/env';
import { createQuoteProducerHandler } from './quote-producer';
import { snsQuotePublisher } from './sns-publisher';

const topicArn = requireEnv('TOPIC_ARN');

/** Quote producer Lambda: `{"quotes": [...]}` → one SNS message per quote, with its `type` attribute. */
export const handler = createQuoteProducerHandler(
  snsQuotePublisher(new SNSClient({}), topicArn),
  new Logger(),
);
