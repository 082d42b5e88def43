import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { InvalidOrderError, parseOrder, priceOrder, resultKey } from '../shared/order';

/** What the consumer needs from the outside world; index.ts gives it S3. */
export interface ConsumerPorts {
  /** Writes a JSON result object, replacing any earlier one at the same key. */
  writeResult(key: string, json: string): Promise<void>;
}

/**
 * Builds the SQS handler: each record is an order, priced and written to results/<orderId>.json. A record
 * that fails is reported alone in batchItemFailures, so only it returns to the queue (and, after
 * maxReceiveCount receives, goes to the dead-letter queue) while the rest of the batch is deleted.
 */
export function createConsumerHandler(ports: ConsumerPorts, logger: Logger) {
  const processor = new BatchProcessor(EventType.SQS);

  const processRecord = async (record: SQSRecord): Promise<void> => {
    try {
      const result = priceOrder(parseOrder(record.body));
      await ports.writeResult(resultKey(result.orderId), `${JSON.stringify(result)}\n`);
      logger.info('order processed', {
        messageId: record.messageId,
        orderId: result.orderId,
        total: result.total,
      });
    } catch (error) {
      const receiveCount = Number(record.attributes.ApproximateReceiveCount);
      if (error instanceof InvalidOrderError) {
        logger.warn('invalid order', { messageId: record.messageId, receiveCount, problems: error.problems });
      } else {
        logger.error('order failed', { messageId: record.messageId, receiveCount, error: error as Error });
      }
      throw error;
    }
  };

  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, processRecord, processor, { context });
}
