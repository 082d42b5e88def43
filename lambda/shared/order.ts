/** One line of an order. */
export interface OrderItem {
  readonly sku: string;
  readonly quantity: number;
  readonly unitPrice: number;
}

/** An order as producers send it, e.g. `{"orderId":"o-1","customerId":"c-1","items":[...]}`. */
export interface Order {
  readonly orderId: string;
  readonly customerId: string;
  readonly items: readonly OrderItem[];
}

/** What the consumer writes for an order: a pure function of the order, so a redelivery writes the same. */
export interface OrderResult {
  readonly orderId: string;
  readonly customerId: string;
  readonly itemCount: number;
  readonly total: number;
}

/** An order that cannot be processed; `problems` lists everything wrong with it. */
export class InvalidOrderError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid order: ${problems.join('; ')}`);
    this.name = 'InvalidOrderError';
  }
}

/** Order ids become S3 keys, so they are restricted to characters that cannot escape `results/`. */
const ORDER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const MAX_ITEMS = 100;

/** Parses and validates a message body, reporting every problem at once. */
export function parseOrder(body: string): Order {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new InvalidOrderError([`body is not JSON: ${preview(body)}`]);
  }
  if (!isObject(value))
    throw new InvalidOrderError([`body must be a JSON object, but it is ${describe(value)}`]);

  const problems: string[] = [];
  const { orderId, customerId, items } = value;
  if (typeof orderId !== 'string' || !ORDER_ID_PATTERN.test(orderId)) {
    problems.push(
      `orderId must be 1-128 letters, digits, '.', '_' or '-' starting with a letter or digit, but it is ${describe(orderId)}`,
    );
  }
  if (typeof customerId !== 'string' || customerId.trim() === '') {
    problems.push(`customerId must be a non-empty string, but it is ${describe(customerId)}`);
  }
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_ITEMS) {
    problems.push(`items must be an array of 1 to ${MAX_ITEMS} items, but it is ${describe(items)}`);
  } else {
    items.forEach((item, i) => {
      problems.push(...itemProblems(item, i));
    });
  }
  if (problems.length > 0) throw new InvalidOrderError(problems);
  return value as unknown as Order;
}

function itemProblems(item: unknown, i: number): string[] {
  if (!isObject(item)) return [`items[${i}] must be an object, but it is ${describe(item)}`];
  const problems: string[] = [];
  if (typeof item.sku !== 'string' || item.sku.trim() === '') {
    problems.push(`items[${i}].sku must be a non-empty string, but it is ${describe(item.sku)}`);
  }
  if (typeof item.quantity !== 'number' || !Number.isInteger(item.quantity) || item.quantity < 1) {
    problems.push(
      `items[${i}].quantity must be a whole number of at least 1, but it is ${describe(item.quantity)}`,
    );
  }
  const price = item.unitPrice;
  if (typeof price !== 'number' || !Number.isFinite(price) || price < 0 || !isWholeCents(price)) {
    problems.push(
      `items[${i}].unitPrice must be a price of at least 0 with at most 2 decimals, but it is ${describe(price)}`,
    );
  }
  return problems;
}

/** Totals an order in whole cents, so 3 × 0.1 is 0.30 and not 0.30000000000000004. */
export function priceOrder(order: Order): OrderResult {
  const cents = order.items.reduce((sum, item) => sum + item.quantity * Math.round(item.unitPrice * 100), 0);
  return {
    orderId: order.orderId,
    customerId: order.customerId,
    itemCount: order.items.reduce((sum, item) => sum + item.quantity, 0),
    total: cents / 100,
  };
}

/** Where the result of an order is written: one key per order, so reprocessing overwrites it. */
export function resultKey(orderId: string): string {
  return `results/${orderId}.json`;
}

function isWholeCents(price: number): boolean {
  return Math.abs(price * 100 - Math.round(price * 100)) < 1e-6;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return preview(JSON.stringify(value));
}

function preview(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
