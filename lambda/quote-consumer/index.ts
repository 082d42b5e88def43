import { Logger } from '@aws-lambda-powertools/logger';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { requireEnv } from '../shared/env';
import { createQuoteConsumerHandler } from './quote-consumer';

const offersQueueUrl = requireEnv('OFFERS_QUEUE_URL');
const sqs = new SQSClient({});

/** Vehicle-sales consumer: car and boat quotes from SNS (via SQS) → one priced offer each on the offers queue. */
export const handler = createQuoteConsumerHandler(
  {
    async sendOffer(offer) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: offersQueueUrl,
          MessageBody: JSON.stringify(offer),
          MessageAttributes: {
            quoteId: { DataType: 'String', StringValue: offer.quoteId },
            type: { DataType: 'String', StringValue: offer.type },
          },
        }),
      );
    },
  },
  new Logger(),
);
