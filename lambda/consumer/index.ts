import { Logger } from '@aws-lambda-powertools/logger';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { requireEnv } from '../shared/env';
import { createConsumerHandler } from './consumer';

const bucket = requireEnv('BUCKET_NAME');
const s3 = new S3Client({});

/** Consumer Lambda: SQS orders → results/<orderId>.json in the bucket, with partial batch failures. */
export const handler = createConsumerHandler(
  {
    async writeResult(key, json) {
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: json, ContentType: 'application/json' }),
      );
    },
  },
  new Logger(),
);
