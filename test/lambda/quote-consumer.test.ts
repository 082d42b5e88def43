import { FullBatchFailureError } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  createQuoteConsumerHandler,
  type Offer,
  priceVehicleQuote,
  type QuoteConsumerPorts,
} from '../../lambda/quote-consumer/quote-consumer';
import { InvalidQuoteError, type Quote } from '../../lambda/shared/quote';
import { lambdaContext, sqsEvent } from '../helpers/lambda-events';
import { snsEnvelopeBody, withMessageAttributes } from '../helpers/sns-events';

/** An in-memory offers queue standing in for SQS. */
class MemoryOffers implements QuoteConsumerPorts {
  readonly sent: Offer[] = [];
  failingQuoteIds = new Set<string>();
  async sendOffer(offer: Offer): Promise<void> {
    if (this.failingQuoteIds.has(offer.quoteId)) throw new Error(`ThrottlingException for ${offer.quoteId}`);
    this.sent.push(offer);
  }
}

const silent = () => new Logger({ logLevel: 'SILENT' });
const quote = (quoteId: string, type: string, amount = 20_000): Quote =>
  ({ quoteId, type, customer: { id: 'c-1', country: 'PT' }, coverage: { amount, currency: 'EUR' } }) as Quote;
/** A quote as SNS delivers it to the vehicle-sales queue: in the envelope, with its `type` attribute. */
const delivered = (q: Quote, typeAttribute: string = q.type) =>
  snsEnvelopeBody(JSON.stringify(q), { type: typeAttribute });

describe('priceVehicleQuote', () => {
  test('cars pay 3.5 % and boats 2 % of the coverage a year, in whole cents', () => {
    expect(priceVehicleQuote(quote('q-1', 'car', 20_000), 'car').premium).toBe(700);
    expect(priceVehicleQuote(quote('q-2', 'boat', 12_345), 'boat').premium).toBe(246.9);
    expect(priceVehicleQuote(quote('q-3', 'car', 3), 'car').premium).toBe(0.11);
  });

  test('refuses a life quote and an attribute that contradicts the body, naming both problems', () => {
    expect(() => priceVehicleQuote(quote('q-4', 'life'), 'car')).toThrow(
      new InvalidQuoteError([
        'vehicle sales prices car and boat quotes, but q-4 is a life quote',
        'the type attribute is "car" but the quote says "life"',
      ]),
    );
  });
});

describe('quote consumer handler', () => {
  test('sends one priced offer per quote and reports no failure for a good batch', async () => {
    // Prepare
    const offers = new MemoryOffers();
    const handler = createQuoteConsumerHandler(offers, silent());
    const event = sqsEvent([delivered(quote('q-1', 'car')), delivered(quote('q-2', 'boat', 50_000))]);

    // Act
    const response = await handler(event, lambdaContext('vehicle-sales'));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(offers.sent).toEqual([
      { quoteId: 'q-1', type: 'car', customerId: 'c-1', premium: 700, currency: 'EUR' },
      { quoteId: 'q-2', type: 'boat', customerId: 'c-1', premium: 1000, currency: 'EUR' },
    ]);
  });

  test('a malformed quote and a misrouted life quote fail only their own records', async () => {
    const offers = new MemoryOffers();
    const handler = createQuoteConsumerHandler(offers, silent());
    const event = sqsEvent([
      delivered(quote('q-1', 'car')),
      snsEnvelopeBody('{"quoteId": "q-2", "type": "car"}', { type: 'car' }),
      delivered(quote('q-3', 'life')),
      delivered(quote('q-4', 'boat')),
    ]);

    const response = await handler(event, lambdaContext('vehicle-sales'));

    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: event.Records[1].messageId },
      { itemIdentifier: event.Records[2].messageId },
    ]);
    expect(offers.sent.map((o) => o.quoteId)).toEqual(['q-1', 'q-4']);
  });

  test('an offer that cannot be sent fails only its record, so SQS redelivers just that quote', async () => {
    const offers = new MemoryOffers();
    offers.failingQuoteIds.add('q-2');
    const handler = createQuoteConsumerHandler(offers, silent());
    const event = sqsEvent([delivered(quote('q-1', 'car')), delivered(quote('q-2', 'car'))]);

    const response = await handler(event, lambdaContext('vehicle-sales'));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[1].messageId }]);
    expect(offers.sent.map((o) => o.quoteId)).toEqual(['q-1']);
  });

  test('also reads raw deliveries, taking the type from the SQS message attribute', async () => {
    const offers = new MemoryOffers();
    const handler = createQuoteConsumerHandler(offers, silent());
    const event = withMessageAttributes(
      sqsEvent([JSON.stringify(quote('q-1', 'boat')), JSON.stringify(quote('q-2', 'boat'))]),
      [{ type: 'boat' }, { type: 'car' }],
    );

    const response = await handler(event, lambdaContext('vehicle-sales'));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[1].messageId }]);
    expect(offers.sent.map((o) => o.quoteId)).toEqual(['q-1']);
  });

  test('a batch where every record fails throws, so Lambda retries the whole batch', async () => {
    const handler = createQuoteConsumerHandler(new MemoryOffers(), silent());

    await expect(
      handler(sqsEvent([snsEnvelopeBody('nope'), 'not even an envelope']), lambdaContext('vehicle-sales')),
    ).rejects.toBeInstanceOf(FullBatchFailureError);
  });
});
