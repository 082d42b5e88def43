import { Logger } from '@aws-lambda-powertools/logger';
import { createClickstreamTransformHandler } from './clickstream-transform';

/** Clickstream transform Lambda: Firehose page views → JSON lines for the archive bucket. */
export const handler = createClickstreamTransformHandler(new Logger());
