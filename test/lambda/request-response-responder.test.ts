import { Logger } from '@aws-lambda-powertools/logger';
import {
  answerQuote,
  createQuoteResponderHandler,
  type QuoteResponderPorts,
} from '../../lambda/quote-responder/quote-responder';
import type { ReplyAddress, ReplyOutcome } from '../../lambda/shared/temporary-queues/responder';
import { lambdaContext, sqsEvent } from '../helpers/lambda-events';
import { withMessageAttributes } from '../helpers/sns-events';

const HOST = 'https://sqs.us-east-1.amazonaws.com/123456789012/decoupled-sandbox-replies-1';
const quote = (quoteId: string, type: string) =>
  JSON.stringify({
    quoteId,
    type,
    customer: { id: 'c-1', country: 'PT' },
    coverage: { amount: 20_000, currency: 'EUR' },
  });

/** Replies kept in memory; a reply address in `failing` throws as a throttled SendMessage would. */
class MemoryReplies implements QuoteResponderPorts {
  readonly sent: Array<{ address: ReplyAddress; body: unknown }> = [];
  readonly failing = new Set<string>();
  async reply(address: ReplyAddress, body: string): Promise<ReplyOutcome> {
    if (this.failing.has(address.responseQueueUrl)) throw new Error('ThrottlingException');
    this.sent.push({ address, body: JSON.parse(body) });
    return 'sent';
  }
}

describe('answerQuote', () => {
  it('prices a car quote as vehicle sales does, and refuses what it cannot price with the problems', () => {
    expect(answerQuote(quote('q-1', 'car'))).toEqual({
      quoteId: 'q-1',
      offer: { quoteId: 'q-1', type: 'car', customerId: 'c-1', premium: 700, currency: 'EUR' },
    });
    expect(answerQuote(quote('q-2', 'life'))).toEqual({
      quoteId: 'q-2',
      refused: ['vehicle sales prices car and boat quotes, but q-2 is a life quote'],
    });
    expect(answerQuote('not json')).toEqual({ quoteId: undefined, refused: ['body is not JSON: not json'] });
  });
});

describe('the quote responder', () => {
  it('answers each request to its own reply address, drops requests without one, and retries only failed replies', async () => {
    // Prepare
    const replies = new MemoryReplies();
    replies.failing.add(`${HOST}#c`);
    const handler = createQuoteResponderHandler(replies, new Logger({ logLevel: 'SILENT' }));
    const event = withMessageAttributes(
      sqsEvent([quote('q-1', 'car'), quote('q-2', 'boat'), quote('q-3', 'car'), quote('q-4', 'boat')]),
      [
        { ResponseQueueUrl: `${HOST}#a`, CorrelationId: 'q-1' },
        { ResponseQueueUrl: `${HOST}#b`, CorrelationId: 'q-2' },
        { ResponseQueueUrl: `${HOST}#c`, CorrelationId: 'q-3' },
        {},
      ],
    );
    // Act
    const result = await handler(event, lambdaContext('quote-responder'));
    // Assess
    expect(replies.sent.map((r) => [r.address, (r.body as { quoteId: string }).quoteId])).toEqual([
      [{ responseQueueUrl: `${HOST}#a`, correlationId: 'q-1' }, 'q-1'],
      [{ responseQueueUrl: `${HOST}#b`, correlationId: 'q-2' }, 'q-2'],
    ]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: event.Records[2].messageId }]);
  });
});
