import { InvalidQuoteError, parseQuote, validateQuote } from '../../lambda/shared/quote';

const quote = {
  quoteId: 'q-1',
  type: 'car',
  customer: { id: 'c-1', country: 'PT' },
  coverage: { amount: 25_000, currency: 'EUR' },
};

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidQuoteError) return error.problems;
    throw error;
  }
  throw new Error('expected an InvalidQuoteError');
}

describe('quotes', () => {
  test('a complete quote is accepted as is', () => {
    expect(parseQuote(JSON.stringify(quote))).toEqual(quote);
  });

  test('every problem of a quote is reported at once', () => {
    const problems = problemsOf(() =>
      validateQuote({
        quoteId: '../etc',
        type: 'pet',
        customer: { id: '', country: 'Portugal' },
        coverage: { amount: 0.5, currency: 'euro' },
      }),
    );

    expect(problems).toEqual([
      expect.stringContaining('quoteId must be 1-128 letters'),
      'type must be one of car, boat, life, but it is "pet"',
      'customer.id must be a non-empty string, but it is ""',
      'customer.country must be a two-letter country code such as "PT", but it is "Portugal"',
      'coverage.amount must be a whole number of at least 1, but it is 0.5',
      'coverage.currency must be a three-letter currency code such as "EUR", but it is "euro"',
    ]);
  });

  test('missing objects are named, not dereferenced', () => {
    expect(problemsOf(() => validateQuote({ quoteId: 'q-1', type: 'life' }))).toEqual([
      'customer must be an object with id and country, but it is missing',
      'coverage must be an object with amount and currency, but it is missing',
    ]);
  });

  test('a body that is not JSON, or not an object, is refused', () => {
    expect(problemsOf(() => parseQuote('car please'))).toEqual(['body is not JSON: car please']);
    expect(problemsOf(() => parseQuote('[1]'))).toEqual([
      'a quote must be a JSON object, but it is an array of 1',
    ]);
  });
});
