import { Logger } from '@aws-lambda-powertools/logger';
import {
  type BatchOutcome,
  createQuoteProducerHandler,
  PublishFailedError,
  type QuoteMessage,
  type QuoteProducerPorts,
  quotesInRequest,
} from '../../lambda/quote-producer/quote-producer';
import { InvalidQuoteError } from '../../lambda/shared/quote';

/** An in-memory topic standing in for SNS: records every batch, refuses the quote ids it is told to. */
class MemoryTopic implements QuoteProducerPorts {
  readonly batches: QuoteMessage[][] = [];
  refusedQuoteIds = new Set<string>();
  async publishBatch(messages: readonly QuoteMessage[]): Promise<BatchOutcome> {
    this.batches.push([...messages]);
    const refused = (m: QuoteMessage) => this.refusedQuoteIds.has(JSON.parse(m.message).quoteId);
    return {
      published: messages.filter((m) => !refused(m)).map((m) => ({ id: m.id, messageId: `msg-${m.id}` })),
      failed: messages.filter(refused).map((m) => ({ id: m.id, reason: 'InternalError: try again' })),
    };
  }
}

const silent = () => new Logger({ logLevel: 'SILENT' });
const quote = (quoteId: string, type = 'car') => ({
  quoteId,
  type,
  customer: { id: 'c-1', country: 'PT' },
  coverage: { amount: 10_000, currency: 'EUR' },
});

describe('quote producer handler', () => {
  test('publishes each quote as JSON with its type as the String attribute `type`', async () => {
    // Prepare
    const topic = new MemoryTopic();
    const handler = createQuoteProducerHandler(topic, silent());

    // Act
    const result = await handler({ quotes: [quote('q-1', 'car'), quote('q-2', 'life')] });

    // Assess
    expect(topic.batches).toEqual([
      [
        { id: '0', message: JSON.stringify(quote('q-1', 'car')), attributes: { type: 'car' } },
        { id: '1', message: JSON.stringify(quote('q-2', 'life')), attributes: { type: 'life' } },
      ],
    ]);
    expect(result.published).toEqual([
      { quoteId: 'q-1', type: 'car', messageId: 'msg-0' },
      { quoteId: 'q-2', type: 'life', messageId: 'msg-1' },
    ]);
  });

  test('23 quotes go out in batches of 10, 10 and 3 (the PublishBatch limit)', async () => {
    const topic = new MemoryTopic();
    const handler = createQuoteProducerHandler(topic, silent());
    const quotes = Array.from({ length: 23 }, (_, i) => quote(`q-${i}`, 'boat'));

    const result = await handler({ quotes });

    expect(topic.batches.map((b) => b.length)).toEqual([10, 10, 3]);
    expect(result.published.map((p) => p.quoteId)).toEqual(quotes.map((q) => q.quoteId));
  });

  test('an invalid request publishes nothing and names every problem with its quote index', async () => {
    const topic = new MemoryTopic();
    const handler = createQuoteProducerHandler(topic, silent());

    const run = handler({ quotes: [quote('q-1'), { ...quote('q-2'), type: 'pet' }, quote('q-1')] });

    await expect(run).rejects.toThrow(
      new InvalidQuoteError([
        'quotes[1]: type must be one of car, boat, life, but it is "pet"',
        'quoteId must be unique in a request, but q-1 repeat',
      ]),
    );
    expect(topic.batches).toEqual([]);
  });

  test('a refused quote fails the invocation, naming it and the reason', async () => {
    const topic = new MemoryTopic();
    topic.refusedQuoteIds.add('q-2');
    const handler = createQuoteProducerHandler(topic, silent());

    const run = handler({ quotes: [quote('q-1'), quote('q-2')] });

    await expect(run).rejects.toThrow(PublishFailedError);
    await expect(run).rejects.toThrow('SNS refused 1 quote(s): q-2 (InternalError: try again)');
  });
});

describe('quotesInRequest', () => {
  test.each([
    ['no quotes key', {}],
    ['an empty list', { quotes: [] }],
    ['more than 100 quotes', { quotes: Array.from({ length: 101 }, (_, i) => quote(`q-${i}`)) }],
    ['null', null],
  ])('refuses %s', (_, event) => {
    expect(() => quotesInRequest(event)).toThrow(
      /the request must be \{"quotes": \[\.\.\.\]\} with 1 to 100 quotes/,
    );
  });
});
