import type { Context, S3Event, S3EventRecord, SQSEvent, SQSRecord } from 'aws-lambda';

const REGION = 'us-east-1';

/** An S3 "ObjectCreated:Put" notification as AWS delivers it (eventVersion 2.1, key URL-encoded). */
export function s3PutEvent(bucket: string, keys: string[], size = 128): S3Event {
  return {
    Records: keys.map((key, i): S3EventRecord => ({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: REGION,
      eventTime: '2026-11-21T10:00:00.000Z',
      eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: 'AWS:AIDAEXAMPLE' },
      requestParameters: { sourceIPAddress: '203.0.113.10' },
      responseElements: { 'x-amz-request-id': `REQ${i}`, 'x-amz-id-2': `ID2${i}` },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'uploads-to-producer',
        bucket: {
          name: bucket,
          ownerIdentity: { principalId: 'A3EXAMPLE' },
          arn: `arn:aws:s3:::${bucket}`,
        },
        object: { key, size, eTag: 'd41d8cd98f00b204e9800998ecf8427e', sequencer: `0055AED6DCD9028${i}` },
      },
    })),
  };
}

/** An SQS event source batch as Lambda delivers it. */
export function sqsEvent(bodies: string[], receiveCount = 1): SQSEvent {
  return {
    Records: bodies.map((body, i): SQSRecord => ({
      messageId: `059f36b4-87a3-44ab-83d2-66197551010${i}`,
      receiptHandle: `AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a${i}`,
      body,
      attributes: {
        ApproximateReceiveCount: String(receiveCount),
        SentTimestamp: '1763719200000',
        SenderId: 'AROAEXAMPLE:order-producer',
        ApproximateFirstReceiveTimestamp: '1763719200100',
      },
      messageAttributes: {},
      md5OfBody: '098f6bcd4621d373cade4e832627b4f6',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${REGION}:123456789012:work-queue`,
      awsRegion: REGION,
    })),
  };
}

/** A Lambda context with a generous remaining time. */
export function lambdaContext(functionName = 'order-consumer'): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/21/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => 30_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
