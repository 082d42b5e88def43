import { Logger } from '@aws-lambda-powertools/logger';
import { SQSClient } from '@aws-sdk/client-sqs';
import { requireEnv } from '../shared/env';
import { sendReply } from '../shared/temporary-queues/responder';
import { createQuoteResponderHandler } from './quote-responder';

/** Host queues are named HOST_QUEUE_NAME_PREFIX + a UUID; replies go nowhere else. */
const hostQueueNamePrefix = requireEnv('HOST_QUEUE_NAME_PREFIX');
const sqs = new SQSClient({});

/** Quote responder: each request on the request queue → its priced quote, sent to the request's reply-to address. */
export const handler = createQuoteResponderHandler(
  { reply: (address, body) => sendReply(sqs, address, body, { hostQueueNamePrefix }) },
  new Logger(),
);
