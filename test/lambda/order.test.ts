import { InvalidOrderError, parseOrder, priceOrder, resultKey } from '../../lambda/shared/order';

const valid = { orderId: 'o-1', customerId: 'c-1', items: [{ sku: 'A', quantity: 2, unitPrice: 9.5 }] };

function problemsOf(body: string): readonly string[] {
  try {
    parseOrder(body);
  } catch (error) {
    if (error instanceof InvalidOrderError) return error.problems;
    throw error;
  }
  throw new Error('parseOrder accepted the body');
}

describe('parseOrder', () => {
  test('accepts the documented example', () => {
    expect(parseOrder(JSON.stringify(valid))).toEqual(valid);
  });

  test.each([
    ['text that is not JSON', 'not json', 'body is not JSON: not json'],
    ['a JSON array', '[]', 'body must be a JSON object, but it is an array of 0'],
    ['a missing orderId', JSON.stringify({ ...valid, orderId: undefined }), 'orderId must be 1-128 letters'],
    [
      'an orderId that escapes results/',
      JSON.stringify({ ...valid, orderId: '../secrets' }),
      'but it is "../secrets"',
    ],
    [
      'an empty customerId',
      JSON.stringify({ ...valid, customerId: ' ' }),
      'customerId must be a non-empty string',
    ],
    ['no items', JSON.stringify({ ...valid, items: [] }), 'items must be an array of 1 to 100 items'],
    [
      '101 items',
      JSON.stringify({ ...valid, items: Array(101).fill(valid.items[0]) }),
      'but it is an array of 101',
    ],
    [
      'a zero quantity',
      JSON.stringify({ ...valid, items: [{ sku: 'A', quantity: 0, unitPrice: 1 }] }),
      'items[0].quantity',
    ],
    [
      'a fractional quantity',
      JSON.stringify({ ...valid, items: [{ sku: 'A', quantity: 1.5, unitPrice: 1 }] }),
      'items[0].quantity',
    ],
    [
      'a negative price',
      JSON.stringify({ ...valid, items: [{ sku: 'A', quantity: 1, unitPrice: -1 }] }),
      'items[0].unitPrice',
    ],
    [
      'a price in tenths of cents',
      JSON.stringify({ ...valid, items: [{ sku: 'A', quantity: 1, unitPrice: 0.001 }] }),
      'at most 2 decimals',
    ],
    [
      'a price given as a string',
      JSON.stringify({ ...valid, items: [{ sku: 'A', quantity: 1, unitPrice: '9.5' }] }),
      'but it is "9.5"',
    ],
    [
      'an item that is not an object',
      JSON.stringify({ ...valid, items: ['A'] }),
      'items[0] must be an object',
    ],
  ])('rejects %s', (_case, body, problem) => {
    expect(problemsOf(body).join('\n')).toContain(problem);
  });

  test('lists every problem of an order, not just the first', () => {
    const body = JSON.stringify({ orderId: '', items: [{ sku: '', quantity: 0, unitPrice: 1 }] });

    expect(problemsOf(body)).toHaveLength(4);
  });
});

describe('priceOrder', () => {
  test('totals quantity × unit price over the items', () => {
    expect(priceOrder(valid)).toEqual({ orderId: 'o-1', customerId: 'c-1', itemCount: 2, total: 19 });
  });

  test('counts in cents: 3 × 0.10 + 0.20 is 0.50 exactly', () => {
    const order = {
      ...valid,
      items: [
        { sku: 'A', quantity: 3, unitPrice: 0.1 },
        { sku: 'B', quantity: 1, unitPrice: 0.2 },
      ],
    };

    expect(priceOrder(order).total).toBe(0.5);
  });
});

test('resultKey puts one object per order under results/', () => {
  expect(resultKey('o-1')).toBe('results/o-1.json');
});

describe('the workshop samples', () => {
  const sample = (name: string): unknown[] => require(`../../docs/workshop/samples/${name}`);
  const valid = (o: unknown) => {
    try {
      parseOrder(JSON.stringify(o));
      return true;
    } catch {
      return false;
    }
  };

  test('orders.json holds three valid orders totalling 19, 25.29 and 95', () => {
    const orders = sample('orders.json').map((o) => priceOrder(parseOrder(JSON.stringify(o))));

    expect(orders.map((o) => o.total)).toEqual([19, 25.29, 95]);
  });

  test('mixed-orders.json holds exactly one malformed order, o-11', () => {
    const invalid = sample('mixed-orders.json').filter((o) => !valid(o));

    expect(invalid).toEqual([expect.objectContaining({ orderId: 'o-11' })]);
  });
});
