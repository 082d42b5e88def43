/**
 * The clickstream handlers on their own: the consumer reports the record that is not a page view (Kinesis partial
 * batch response) and hands on the others in order; the transform answers Ok, Dropped or ProcessingFailed for each
 * record, as Firehose requires.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, FirehoseTransformationEvent, KinesisStreamEvent } from 'aws-lambda';
import { createClickstreamConsumerHandler } from '../../lambda/clickstream-consumer/clickstream-consumer';
import { createClickstreamTransformHandler } from '../../lambda/clickstream-transform/clickstream-transform';
import { InvalidPageViewError, parsePageView, type PageView } from '../../lambda/shared/clickstream';

const logger = new Logger({ logLevel: 'SILENT' });
const context = { functionName: 'test', awsRequestId: 'r-1' } as Context;
const view = (seq: number, extra: Partial<PageView> = {}): PageView => ({
  sessionId: 's-1',
  seq,
  page: `/p/${seq}`,
  viewedAt: '2026-11-21T09:00:00Z',
  ...extra,
});
const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('parsePageView', () => {
  test('lists every problem of a record that is not a page view', () => {
    try {
      parsePageView(JSON.stringify({ sessionId: 'bad id', seq: 0, page: 'home', viewedAt: 'yesterday' }));
      throw new Error('expected a failure');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidPageViewError);
      expect((error as InvalidPageViewError).problems).toHaveLength(4);
    }
    expect(() => parsePageView('not json')).toThrow('the record is not JSON');
  });
});

describe('the clickstream consumer', () => {
  test('hands on page views in order and reports the bad record by its sequence number', async () => {
    // Prepare
    const seen: number[] = [];
    const handler = createClickstreamConsumerHandler({ record: async (v) => void seen.push(v.seq) }, logger);
    const texts = [JSON.stringify(view(1)), 'oops', JSON.stringify(view(2))];
    const event = {
      Records: texts.map((text, i) => ({
        eventID: `shardId-000000000000:${i + 1}`,
        eventSource: 'aws:kinesis',
        kinesis: { data: b64(text), sequenceNumber: String(i + 1), partitionKey: 's-1' },
      })),
    } as unknown as KinesisStreamEvent;
    // Act
    const response = await handler(event, context);
    // Assess
    expect(seen).toEqual([1, 2]);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '2' }] });
  });
});

describe('the clickstream transform', () => {
  test('Ok with one JSON line and its day, Dropped for a crawler, ProcessingFailed for the rest', async () => {
    // Prepare
    const handler = createClickstreamTransformHandler(logger);
    const records = [JSON.stringify(view(1)), JSON.stringify(view(2, { userAgent: 'Googlebot/2.1' })), '{}'];
    const event = {
      invocationId: 'i-1',
      deliveryStreamArn: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/d',
      region: 'us-east-1',
      records: records.map((text, i) => ({
        recordId: `r-${i}`,
        approximateArrivalTimestamp: 0,
        data: b64(text),
      })),
    } as FirehoseTransformationEvent;
    // Act
    const { records: results } = await handler(event);
    // Assess
    expect(results.map((r) => [r.recordId, r.result])).toEqual([
      ['r-0', 'Ok'],
      ['r-1', 'Dropped'],
      ['r-2', 'ProcessingFailed'],
    ]);
    expect(JSON.parse(Buffer.from(results[0].data!, 'base64').toString())).toEqual({
      ...view(1),
      day: '2026-11-21',
    });
  });
});
