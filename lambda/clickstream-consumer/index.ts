import { Logger } from '@aws-lambda-powertools/logger';
import { createClickstreamConsumerHandler } from './clickstream-consumer';

const logger = new Logger();

/** Clickstream consumer Lambda: Kinesis page views, in shard order, each logged with its session and position. */
export const handler = createClickstreamConsumerHandler(
  {
    async record(view, position) {
      logger.info('page view', { ...view, ...position });
    },
  },
  logger,
);
