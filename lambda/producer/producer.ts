import type { Logger } from '@aws-lambda-powertools/logger';
import type { S3Event } from 'aws-lambda';
import { decodeS3Key, inBatches, messagesInUpload } from '../shared/upload';

/** One message of a SendMessageBatch call. */
export interface OutgoingMessage {
  readonly id: string;
  readonly body: string;
  /** Where the message came from, sent as String message attributes. */
  readonly attributes: Readonly<Record<string, string>>;
}

/** What the producer needs from the outside world; index.ts gives it S3 and SQS. */
export interface ProducerPorts {
  /** Reads an object's body as UTF-8 text. */
  readObject(bucket: string, key: string): Promise<string>;
  /** Sends up to 10 messages at once; resolves with the ids of the entries that failed, with the reason. */
  sendBatch(messages: readonly OutgoingMessage[]): Promise<ReadonlyArray<{ id: string; reason: string }>>;
}

/** The result of one invocation, which the onSuccess destination receives as responsePayload. */
export interface ProducerResult {
  readonly uploads: ReadonlyArray<{ bucket: string; key: string; messagesSent: number }>;
}

/** Thrown when SQS refused some messages: the invocation fails, so Lambda retries it asynchronously. */
export class SendFailedError extends Error {
  constructor(
    readonly key: string,
    readonly failures: ReadonlyArray<{ id: string; reason: string }>,
  ) {
    super(
      `SQS refused ${failures.length} message(s) from ${key}: ${failures.map((f) => `${f.id} (${f.reason})`).join(', ')}`,
    );
    this.name = 'SendFailedError';
  }
}

/** Builds the S3-notification handler: every uploaded file becomes one message per order in it. */
export function createProducerHandler(ports: ProducerPorts, logger: Logger) {
  return async (event: S3Event): Promise<ProducerResult> => {
    const uploads = [];
    for (const record of event.Records) {
      const bucket = record.s3.bucket.name;
      const key = decodeS3Key(record.s3.object.key);
      const bodies = messagesInUpload(await ports.readObject(bucket, key));
      if (bodies.length === 0) logger.warn('upload is empty, nothing to send', { bucket, key });

      const messages = bodies.map((body, i) => ({
        id: String(i),
        body,
        attributes: { sourceBucket: bucket, sourceKey: key },
      }));
      for (const batch of inBatches(messages)) {
        const failures = await ports.sendBatch(batch);
        if (failures.length > 0) throw new SendFailedError(key, failures);
      }
      logger.info('upload sent to the work queue', { bucket, key, messagesSent: messages.length });
      uploads.push({ bucket, key, messagesSent: messages.length });
    }
    return { uploads };
  };
}
