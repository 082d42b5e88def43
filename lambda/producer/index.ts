import { Logger } from '@aws-lambda-powertools/logger';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { requireEnv } from '../shared/env';
import { createProducerHandler } from './producer';

const queueUrl = requireEnv('QUEUE_URL');
const s3 = new S3Client({});
const sqs = new SQSClient({});

/** Producer Lambda: S3 "object created" under uploads/ → one SQS message per order in the file. */
export const handler = createProducerHandler(
  {
    async readObject(bucket, key) {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return object.Body ? object.Body.transformToString('utf-8') : '';
    },
    async sendBatch(messages) {
      const response = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: messages.map((m) => ({
            Id: m.id,
            MessageBody: m.body,
            MessageAttributes: Object.fromEntries(
              Object.entries(m.attributes).map(([name, value]) => [
                name,
                { DataType: 'String', StringValue: value },
              ]),
            ),
          })),
        }),
      );
      return (response.Failed ?? []).map((f) => ({ id: f.Id ?? '?', reason: `${f.Code}: ${f.Message}` }));
    },
  },
  new Logger(),
);
