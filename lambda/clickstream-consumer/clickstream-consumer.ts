import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type {
  Context,
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
  KinesisStreamRecord,
} from 'aws-lambda';
import { InvalidPageViewError, parsePageView, type PageView } from '../shared/clickstream';

/** What the consumer needs from the outside world; index.ts logs. */
export interface ClickstreamConsumerPorts {
  /** Takes one page view, in shard order. */
  record(
    view: PageView,
    shardPosition: { readonly shardId: string; readonly sequenceNumber: string },
  ): Promise<void>;
}

/**
 * Builds the Kinesis handler: each record is a page view, handed on in shard order. A record that is not a page
 * view fails, and is reported in batchItemFailures (ReportBatchItemFailures): Lambda retries from it, bisecting
 * the batch (BisectBatchOnFunctionError) until the bad record is alone, then sends a record of it to the
 * on-failure queue once the retries are spent, and the shard moves on.
 */
export function createClickstreamConsumerHandler(ports: ClickstreamConsumerPorts, logger: Logger) {
  const processor = new BatchProcessor(EventType.KinesisDataStreams);

  const processRecord = async (record: KinesisStreamRecord): Promise<void> => {
    const { sequenceNumber, partitionKey } = record.kinesis;
    try {
      const view = parsePageView(Buffer.from(record.kinesis.data, 'base64').toString('utf8'));
      await ports.record(view, { shardId: record.eventID.split(':')[0], sequenceNumber });
    } catch (error) {
      if (error instanceof InvalidPageViewError) {
        logger.warn('invalid page view', { sequenceNumber, partitionKey, problems: error.problems });
      } else {
        logger.error('page view failed', { sequenceNumber, partitionKey, error: error as Error });
      }
      throw error;
    }
  };

  return async (event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> =>
    processPartialResponse(event, processRecord, processor, { context });
}
