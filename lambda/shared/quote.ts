/** The kinds of insurance a quote can be for; published as the String message attribute `type`. */
export const QUOTE_TYPES = ['car', 'boat', 'life'] as const;
export type QuoteType = (typeof QUOTE_TYPES)[number];

/** A request for an insurance quote, e.g. `{"quoteId":"q-1","type":"car","customer":{...},"coverage":{...}}`. */
export interface Quote {
  readonly quoteId: string;
  readonly type: QuoteType;
  readonly customer: { readonly id: string; readonly country: string };
  /** How much the policy would cover, in whole currency units. */
  readonly coverage: { readonly amount: number; readonly currency: string };
}

/** A quote that cannot be published or processed; `problems` lists everything wrong with it. */
export class InvalidQuoteError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid quote: ${problems.join('; ')}`);
    this.name = 'InvalidQuoteError';
  }
}

const QUOTE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const COUNTRY_PATTERN = /^[A-Z]{2}$/;
const CURRENCY_PATTERN = /^[A-Z]{3}$/;

/** Checks a parsed JSON value, reporting every problem at once. */
export function validateQuote(value: unknown): Quote {
  if (!isObject(value))
    throw new InvalidQuoteError([`a quote must be a JSON object, but it is ${describe(value)}`]);
  const problems: string[] = [];
  const { quoteId, type, customer, coverage } = value;
  if (typeof quoteId !== 'string' || !QUOTE_ID_PATTERN.test(quoteId)) {
    problems.push(
      `quoteId must be 1-128 letters, digits, '.', '_' or '-' starting with a letter or digit, but it is ${describe(quoteId)}`,
    );
  }
  if (typeof type !== 'string' || !(QUOTE_TYPES as readonly string[]).includes(type)) {
    problems.push(`type must be one of ${QUOTE_TYPES.join(', ')}, but it is ${describe(type)}`);
  }
  if (!isObject(customer)) {
    problems.push(`customer must be an object with id and country, but it is ${describe(customer)}`);
  } else {
    if (typeof customer.id !== 'string' || customer.id.trim() === '') {
      problems.push(`customer.id must be a non-empty string, but it is ${describe(customer.id)}`);
    }
    if (typeof customer.country !== 'string' || !COUNTRY_PATTERN.test(customer.country)) {
      problems.push(
        `customer.country must be a two-letter country code such as "PT", but it is ${describe(customer.country)}`,
      );
    }
  }
  if (!isObject(coverage)) {
    problems.push(`coverage must be an object with amount and currency, but it is ${describe(coverage)}`);
  } else {
    const { amount, currency } = coverage;
    if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 1) {
      problems.push(`coverage.amount must be a whole number of at least 1, but it is ${describe(amount)}`);
    }
    if (typeof currency !== 'string' || !CURRENCY_PATTERN.test(currency)) {
      problems.push(
        `coverage.currency must be a three-letter currency code such as "EUR", but it is ${describe(currency)}`,
      );
    }
  }
  if (problems.length > 0) throw new InvalidQuoteError(problems);
  return value as unknown as Quote;
}

/** Parses and validates a message body. */
export function parseQuote(body: string): Quote {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new InvalidQuoteError([`body is not JSON: ${preview(body)}`]);
  }
  return validateQuote(value);
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
