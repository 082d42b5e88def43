import type { Logger } from '@aws-lambda-powertools/logger';
import type {
  FirehoseTransformationEvent,
  FirehoseTransformationResult,
  FirehoseTransformationResultRecord,
} from 'aws-lambda';
import { archiveLine, InvalidPageViewError, isBot, parsePageView } from '../shared/clickstream';

/**
 * Builds the Firehose transform: every record the delivery stream buffered comes back with a result, as Firehose
 * requires. A page view becomes one JSON line (`Ok`), a crawler's is left out of the archive (`Dropped`), and what
 * is not a page view is `ProcessingFailed`: Firehose writes it, as it came, under the `processing-failed/` prefix.
 */
export function createClickstreamTransformHandler(logger: Logger) {
  return async (event: FirehoseTransformationEvent): Promise<FirehoseTransformationResult> => {
    const records = event.records.map((record): FirehoseTransformationResultRecord => {
      try {
        const view = parsePageView(Buffer.from(record.data, 'base64').toString('utf8'));
        if (isBot(view)) return { recordId: record.recordId, result: 'Dropped', data: record.data };
        return {
          recordId: record.recordId,
          result: 'Ok',
          data: Buffer.from(archiveLine(view)).toString('base64'),
        };
      } catch (error) {
        if (!(error instanceof InvalidPageViewError)) throw error;
        logger.warn('not a page view', { recordId: record.recordId, problems: error.problems });
        return { recordId: record.recordId, result: 'ProcessingFailed', data: record.data };
      }
    });
    const counts = { ok: 0, dropped: 0, failed: 0 };
    for (const r of records)
      counts[r.result === 'Ok' ? 'ok' : r.result === 'Dropped' ? 'dropped' : 'failed']++;
    logger.info('batch transformed', { invocationId: event.invocationId, ...counts });
    return { records };
  };
}
